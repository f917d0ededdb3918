//! A non-2xx response turned into [`Error::Api`].

use reqwest::Response;
use serde::Deserialize;

use crate::error::{ApiErrorKind, Error};
use crate::event::ApiErrorBody;

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiErrorBody,
    #[serde(default)]
    request_id: Option<String>,
}

/// Bedrock's and Vertex AI's own error body: `{"message": "…"}`.
#[derive(Deserialize)]
struct PlatformError {
    message: String,
}

/// Reads the error body (`{"type":"error","error":{type,message},"request_id"}`, or a cloud
/// platform's `{"message"}`); a body of neither shape still gives a typed error with the
/// status and the text.
pub(crate) async fn from_response(response: Response) -> Error {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let header_request_id = ["request-id", "x-amzn-requestid"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(str::to_owned);
    let retry_after = super::retry::server_delay(&headers);
    let text = response.text().await.unwrap_or_default();
    let (kind, message, body_request_id) = match serde_json::from_str::<ErrorEnvelope>(&text) {
        Ok(envelope) => (
            envelope.error.kind,
            envelope.error.message,
            envelope.request_id,
        ),
        Err(_) => match serde_json::from_str::<PlatformError>(&text) {
            Ok(platform) => (ApiErrorKind::from_status(status), platform.message, None),
            Err(_) => (ApiErrorKind::from_status(status), shorten(&text), None),
        },
    };
    Error::Api {
        status: Some(status),
        kind,
        message,
        request_id: header_request_id.or(body_request_id),
        retry_after,
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 500;
    let text = text.trim();
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
