//! A non-2xx response turned into [`Error::Api`].

use std::time::Duration;

use super::Response;
use serde::Deserialize;

use crate::error::{ApiError, ApiErrorKind, Error};
use crate::event::ApiErrorBody;

/// The most of an error body that is read; the API's are a few hundred bytes.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

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
/// platform's `{"message"}`), at most 64 KiB and each chunk within `idle`; a body of neither
/// shape, cut short or never finished still gives a typed error with the status.
pub(crate) async fn from_response(response: Response, idle: Option<Duration>) -> Error {
    let status = response.status().as_u16();
    let headers = response.headers();
    let header_request_id = ["request-id", "x-amzn-requestid"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(str::to_owned);
    let retry_after = super::retry::server_delay(headers);
    let should_retry = super::retry::should_retry_header(headers);
    let rate_limits = crate::messages::RateLimits::from_headers(headers);
    let (kind, message, body_request_id) =
        match super::read::prefix(response, ERROR_BODY_LIMIT, idle).await {
            Ok(body) => parse(status, &body.bytes),
            Err(unread) => (
                ApiErrorKind::from_status(status),
                format!("(the error body could not be read: {unread})"),
                None,
            ),
        };
    let mut error = ApiError::new(kind, message)
        .with_status(status)
        .with_rate_limits(rate_limits);
    if let Some(id) = header_request_id.or(body_request_id) {
        error = error.with_request_id(id);
    }
    if let Some(after) = retry_after {
        error = error.with_retry_after(after);
    }
    if let Some(verdict) = should_retry {
        error = error.with_should_retry(verdict);
    }
    Error::Api(error)
}

fn parse(status: u16, body: &[u8]) -> (ApiErrorKind, String, Option<String>) {
    if let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(body) {
        return (
            envelope.error.kind,
            envelope.error.message,
            envelope.request_id,
        );
    }
    let message = match serde_json::from_slice::<PlatformError>(body) {
        Ok(platform) => platform.message,
        Err(_) => shorten(&String::from_utf8_lossy(body)),
    };
    (ApiErrorKind::from_status(status), message, None)
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
