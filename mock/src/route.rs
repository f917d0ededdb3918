//! Which API a request is for: Anthropic's own paths, Vertex AI's and Bedrock's. Vertex and
//! Bedrock requests are checked for their platform's auth and body form, then turned into the
//! Anthropic form (model back in the body) so one validator and one renderer serve all three.

use serde_json::{Map, Value};

use super::validate::{invalid, Endpoint, Refusal};

/// The platform a request came in through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Via {
    Anthropic,
    Vertex,
    Bedrock,
}

/// A routed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Route {
    pub(super) via: Via,
    pub(super) endpoint: Endpoint,
    /// The model named in the path (Vertex, Bedrock).
    pub(super) model: Option<String>,
    /// Whether the platform streams (Bedrock says so in the path, not the body).
    pub(super) stream: Option<bool>,
}

/// A request to the Message Batches API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum BatchRoute {
    Create,
    List,
    Retrieve(String),
    Cancel(String),
    Delete(String),
    Results(String),
}

/// Routes a request under `/v1/messages/batches`, or `None` when it is not one.
pub(super) fn batch_route(method: &axum::http::Method, path: &str) -> Option<BatchRoute> {
    use axum::http::Method;
    let rest = path.strip_prefix("/v1/messages/batches")?;
    let parts: Vec<&str> = rest.split('/').skip(1).collect();
    let id = |s: &str| s.to_owned();
    Some(match (method, parts.as_slice()) {
        (&Method::POST, []) => BatchRoute::Create,
        (&Method::GET, []) => BatchRoute::List,
        (&Method::GET, [batch]) => BatchRoute::Retrieve(id(batch)),
        (&Method::DELETE, [batch]) => BatchRoute::Delete(id(batch)),
        (&Method::POST, [batch, "cancel"]) => BatchRoute::Cancel(id(batch)),
        (&Method::GET, [batch, "results"]) => BatchRoute::Results(id(batch)),
        _ => return None,
    })
}

/// Routes a `POST` path, or `None` for a 404.
pub(super) fn route(path: &str) -> Option<Route> {
    let anthropic = |endpoint| Route {
        via: Via::Anthropic,
        endpoint,
        model: None,
        stream: None,
    };
    match path {
        "/v1/messages" => return Some(anthropic(Endpoint::Messages)),
        "/v1/messages/count_tokens" => return Some(anthropic(Endpoint::CountTokens)),
        _ => {}
    }
    if let Some(rest) = path.strip_prefix("/v1/projects/") {
        let (_, rest) = rest.split_once("/locations/")?;
        let (_, rest) = rest.split_once("/publishers/anthropic/models/")?;
        let (model, action) = rest.rsplit_once(':')?;
        return match (model, action) {
            ("count-tokens", "rawPredict") => Some(Route {
                via: Via::Vertex,
                endpoint: Endpoint::CountTokens,
                model: None,
                stream: None,
            }),
            (model, "streamRawPredict" | "rawPredict") => Some(Route {
                via: Via::Vertex,
                endpoint: Endpoint::Messages,
                model: Some(model.to_owned()),
                stream: None,
            }),
            _ => None,
        };
    }
    let rest = path.strip_prefix("/model/")?;
    let (model, action) = rest.rsplit_once('/')?;
    let stream = match action {
        "invoke-with-response-stream" => true,
        "invoke" => false,
        _ => return None,
    };
    Some(Route {
        via: Via::Bedrock,
        endpoint: Endpoint::Messages,
        model: Some(percent_decode(model)),
        stream: Some(stream),
    })
}

/// Checks the platform's auth header and body form, and returns the body in the Anthropic
/// form (as bytes, for the common validator).
pub(super) fn to_anthropic_body(
    route: &Route,
    header: impl Fn(&str) -> Option<String>,
    raw: &[u8],
) -> Result<Vec<u8>, Refusal> {
    let (version, auth_prefix) = match route.via {
        Via::Anthropic => return Ok(raw.to_vec()),
        Via::Vertex => (VERTEX_ANTHROPIC_VERSION, "Bearer "),
        Via::Bedrock => (BEDROCK_ANTHROPIC_VERSION, "AWS4-HMAC-SHA256 "),
    };
    if !header("authorization").is_some_and(|auth| auth.starts_with(auth_prefix)) {
        return Err(Refusal {
            status: if route.via == Via::Bedrock { 403 } else { 401 },
            kind: if route.via == Via::Bedrock {
                "permission_error".into()
            } else {
                "authentication_error".into()
            },
            message: format!("an `authorization: {auth_prefix}…` header is required"),
        });
    }
    let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(raw) else {
        return Err(invalid("The request body must be a JSON object"));
    };
    if body.get("anthropic_version").and_then(Value::as_str) != Some(version) {
        return Err(invalid(format!(
            "anthropic_version: Input should be '{version}'"
        )));
    }
    if let Some(model) = &route.model {
        if body.contains_key("model") {
            return Err(invalid(
                "model: Extra inputs are not permitted (the model is named in the URL)",
            ));
        }
        body.insert("model".into(), Value::from(model.clone()));
    }
    if let Some(stream) = route.stream {
        if body.contains_key("stream") {
            return Err(invalid("stream: Extra inputs are not permitted"));
        }
        body.insert("stream".into(), Value::Bool(stream));
    }
    strip(&mut body);
    Ok(serde_json::to_vec(&body).unwrap_or_default())
}

/// The `anthropic_version` Bedrock expects in the body.
pub(super) const BEDROCK_ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";
/// The `anthropic_version` Vertex AI requires in the body (Anthropic's Vertex AI docs).
const VERTEX_ANTHROPIC_VERSION: &str = "vertex-2023-10-16";

/// Platform-only fields the common validator does not know.
fn strip(body: &mut Map<String, Value>) {
    body.remove("anthropic_version");
    body.remove("anthropic_beta");
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_every_platform_s_paths() {
        let vertex = route("/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-x@2025:streamRawPredict").unwrap();
        assert_eq!(
            (vertex.via, vertex.model.as_deref()),
            (Via::Vertex, Some("claude-x@2025"))
        );
        let count = route(
            "/v1/projects/p/locations/global/publishers/anthropic/models/count-tokens:rawPredict",
        )
        .unwrap();
        assert_eq!(count.endpoint, Endpoint::CountTokens);
        let bedrock =
            route("/model/us.anthropic.claude-x-v1%3A0/invoke-with-response-stream").unwrap();
        assert_eq!(bedrock.model.as_deref(), Some("us.anthropic.claude-x-v1:0"));
        assert_eq!(bedrock.stream, Some(true));
        assert!(route("/v1/complete").is_none());
        assert!(route("/model/x/converse").is_none());
    }

    #[test]
    fn routes_the_batches_api_by_method_and_path() {
        use axum::http::Method;
        let route = |method: Method, path: &str| batch_route(&method, path);
        assert_eq!(
            route(Method::POST, "/v1/messages/batches"),
            Some(BatchRoute::Create)
        );
        assert_eq!(
            route(Method::GET, "/v1/messages/batches"),
            Some(BatchRoute::List)
        );
        assert_eq!(
            route(Method::GET, "/v1/messages/batches/b1"),
            Some(BatchRoute::Retrieve("b1".into()))
        );
        assert_eq!(
            route(Method::DELETE, "/v1/messages/batches/b1"),
            Some(BatchRoute::Delete("b1".into()))
        );
        assert_eq!(
            route(Method::POST, "/v1/messages/batches/b1/cancel"),
            Some(BatchRoute::Cancel("b1".into()))
        );
        assert_eq!(
            route(Method::GET, "/v1/messages/batches/b1/results"),
            Some(BatchRoute::Results("b1".into()))
        );
        assert_eq!(route(Method::PUT, "/v1/messages/batches/b1"), None);
        assert_eq!(route(Method::GET, "/v1/messages/batches/b1/other"), None);
        assert_eq!(route(Method::POST, "/v1/messages"), None);
    }

    #[test]
    fn vertex_bodies_need_the_version_and_no_model() {
        let route =
            route("/v1/projects/p/locations/r/publishers/anthropic/models/m:streamRawPredict")
                .unwrap();
        let bearer = |name: &str| (name == "authorization").then(|| "Bearer t".to_owned());
        let ok = to_anthropic_body(
            &route,
            bearer,
            br#"{"anthropic_version":"vertex-2023-10-16","max_tokens":5,"messages":[]}"#,
        )
        .unwrap();
        let ok: Value = serde_json::from_slice(&ok).unwrap();
        assert_eq!(ok["model"], "m");
        assert!(ok.get("anthropic_version").is_none());
        let with_model = to_anthropic_body(
            &route,
            bearer,
            br#"{"anthropic_version":"vertex-2023-10-16","model":"m"}"#,
        );
        assert!(with_model.unwrap_err().message.contains("model"));
        let no_version = to_anthropic_body(&route, bearer, br#"{"max_tokens":5}"#);
        assert!(no_version
            .unwrap_err()
            .message
            .contains("anthropic_version"));
        let no_auth = to_anthropic_body(&route, |_| None, b"{}").unwrap_err();
        assert_eq!(no_auth.status, 401);
    }
}
