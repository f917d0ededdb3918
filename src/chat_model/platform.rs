//! Where requests go: Anthropic's API, Google Vertex AI, or Amazon Bedrock. Everything but
//! the request target and the authentication is shared.

use serde::{Deserialize, Serialize};

/// The platform serving the model.
///
/// ```
/// use chat_anthropic::{ChatAnthropic, Platform};
/// let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929").vertex("us-east5", "my-project");
/// assert_eq!(llm.config().platform, Platform::Vertex { region: Some("us-east5".into()), project_id: Some("my-project".into()) });
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Platform {
    /// `POST {base}/v1/messages` with `x-api-key`.
    #[default]
    Anthropic,
    /// Google Vertex AI: `POST {base}/v1/projects/{project}/locations/{region}/publishers/
    /// anthropic/models/{model}:streamRawPredict` with a bearer token, `anthropic_version:
    /// "vertex-2023-10-16"` in the body and the model in the URL.
    Vertex {
        /// The region (`us-east5`, `europe-west1`, `global`, …); `None` reads `CLOUD_ML_REGION`.
        region: Option<String>,
        /// The Google Cloud project; `None` reads `ANTHROPIC_VERTEX_PROJECT_ID`.
        project_id: Option<String>,
    },
    /// Amazon Bedrock (cargo feature `bedrock`): `POST {base}/model/{model}/invoke-with-
    /// response-stream`, SigV4-signed, answered in AWS event-stream framing.
    Bedrock {
        /// The AWS region; `None` reads `AWS_REGION`, then `AWS_DEFAULT_REGION`.
        region: Option<String>,
    },
}

/// The value of the first of `names` that is set and not empty.
pub(crate) fn env_var(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
}

/// A setting given in code, else from the environment, else an error naming both.
pub(crate) fn setting(
    given: Option<&String>,
    names: &[&str],
    what: &str,
) -> Result<String, crate::Error> {
    given.cloned().or_else(|| env_var(names)).ok_or_else(|| {
        crate::Error::config(
            crate::error::ConfigReason::MissingSetting,
            format!("no {what}: set {} or pass it in code", names.join(" or ")),
        )
    })
}
