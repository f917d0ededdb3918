//! The Google Vertex AI target: URL, bearer token and body form.

use serde_json::{Map, Value};

use super::ApiKey;
use crate::error::{ConfigReason, Error};
use crate::request::Endpoint;
use crate::settings::{Environment, VERTEX_ANTHROPIC_VERSION};

/// Where a Vertex request goes and the token it carries.
pub(crate) struct VertexTarget {
    pub(crate) url: String,
    pub(crate) token: ApiKey,
}

/// Resolves region, project, base URL and token (code first, then the environment), and
/// turns the Messages body into Vertex's: the model moves into the URL (token counting keeps
/// it in the body, as Vertex's `count-tokens` endpoint wants) and `anthropic_version` is added.
pub(crate) fn target(
    env: &Environment,
    region: Option<&String>,
    project_id: Option<&String>,
    base_url: Option<&String>,
    token: Option<&ApiKey>,
    endpoint: Endpoint,
    body: &mut Map<String, Value>,
) -> Result<VertexTarget, Error> {
    let region = env.setting(region, &["CLOUD_ML_REGION"], "Vertex AI region")?;
    let project = env.setting(
        project_id,
        &["ANTHROPIC_VERTEX_PROJECT_ID"],
        "Vertex AI project",
    )?;
    let base = base_url
        .cloned()
        .or_else(|| env.first(&["ANTHROPIC_VERTEX_BASE_URL"]))
        .unwrap_or_else(|| match region.as_str() {
            "global" => "https://aiplatform.googleapis.com".to_owned(),
            region => format!("https://{region}-aiplatform.googleapis.com"),
        });
    let token = match token {
        Some(token) => token.clone(),
        None => env
            .first(&["ANTHROPIC_VERTEX_ACCESS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN"])
            .map(ApiKey::new)
            .ok_or_else(|| {
                Error::config(
                    ConfigReason::MissingCredentials,
                    "no Vertex AI access token: set ANTHROPIC_VERTEX_ACCESS_TOKEN (e.g. from `gcloud auth print-access-token`) or call ChatAnthropic::vertex_access_token",
                )
            })?,
    };
    let model_path = match endpoint {
        Endpoint::Stream => {
            let model = body
                .remove("model")
                .and_then(|m| m.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{model}:streamRawPredict")
        }
        Endpoint::CountTokens => "count-tokens:rawPredict".to_owned(),
    };
    body.entry("anthropic_version")
        .or_insert_with(|| Value::from(VERTEX_ANTHROPIC_VERSION));
    Ok(VertexTarget {
        url: format!(
            "{}/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model_path}",
            base.trim_end_matches('/')
        ),
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Map<String, Value> {
        json!({"model": "claude-sonnet-4-5@20250929", "max_tokens": 10, "messages": [], "stream": true})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn the_model_moves_into_the_url_and_the_version_into_the_body() {
        let mut body = body();
        let target = target(
            &Environment::empty(),
            Some(&"us-east5".into()),
            Some(&"proj".into()),
            None,
            Some(&ApiKey::new("ya29.token")),
            Endpoint::Stream,
            &mut body,
        )
        .unwrap();
        assert_eq!(target.url, "https://us-east5-aiplatform.googleapis.com/v1/projects/proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict");
        assert!(!body.contains_key("model"));
        assert_eq!(body["anthropic_version"], VERTEX_ANTHROPIC_VERSION);
        assert_eq!(body["stream"], true);
    }

    #[test]
    fn global_region_and_token_counting() {
        let mut body = body();
        let target = target(
            &Environment::empty(),
            Some(&"global".into()),
            Some(&"proj".into()),
            None,
            Some(&ApiKey::new("t")),
            Endpoint::CountTokens,
            &mut body,
        )
        .unwrap();
        assert_eq!(target.url, "https://aiplatform.googleapis.com/v1/projects/proj/locations/global/publishers/anthropic/models/count-tokens:rawPredict");
        assert_eq!(body["model"], "claude-sonnet-4-5@20250929");
    }
}
