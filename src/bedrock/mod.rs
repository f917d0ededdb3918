//! Amazon Bedrock (cargo feature `bedrock`): Anthropic models through
//! `InvokeModelWithResponseStream`.
//!
//! Only the request target, the authentication and the response framing differ from the
//! Messages API; everything after the bytes is the same pipeline:
//! - the body is the Messages body without `model` (it goes in the path) and `stream` (the
//!   path says it), with `anthropic_version: "bedrock-2023-05-31"` and beta names in
//!   `anthropic_beta`;
//! - the request is signed with AWS Signature Version 4, credentials from [`AwsCredentials`]
//!   (by default the standard `AWS_*` environment variables);
//! - the response is AWS event-stream binary frames, each carrying one Messages stream event
//!   (base64 JSON); [`EventStreamToSse`] turns them back into SSE bytes, so decoding, the
//!   fold and every view of [`ChatStream`](crate::ChatStream) are shared.

mod credentials;
mod frames;
mod sign;

use serde_json::{Map, Value};

pub use credentials::AwsCredentials;
pub use frames::EventStreamToSse;
pub(crate) use sign::sign;

/// The `anthropic_version` Bedrock expects in the body.
pub const BEDROCK_ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";

/// `https://bedrock-runtime.{region}.amazonaws.com`.
pub(crate) fn default_base_url(region: &str) -> String {
    format!("https://bedrock-runtime.{region}.amazonaws.com")
}

/// The streaming endpoint for `model` (an id, an inference-profile id or an ARN), with the
/// model percent-encoded as one path segment.
pub(crate) fn invoke_url(base: &str, model: &str) -> String {
    format!(
        "{}/model/{}/invoke-with-response-stream",
        base.trim_end_matches('/'),
        encode_segment(model)
    )
}

/// Turns a Messages API body into Bedrock's.
pub(crate) fn to_bedrock_body(body: &mut Map<String, Value>, betas: &[String]) {
    body.remove("model");
    body.remove("stream");
    body.insert(
        "anthropic_version".into(),
        Value::from(BEDROCK_ANTHROPIC_VERSION),
    );
    if !betas.is_empty() {
        body.insert("anthropic_beta".into(), Value::from(betas.to_vec()));
    }
}

/// The API error type a Bedrock exception stands for.
pub(crate) const EXCEPTIONS: &[(&str, &str)] = &[
    ("throttlingException", "rate_limit_error"),
    ("serviceUnavailableException", "overloaded_error"),
    ("modelStreamErrorException", "api_error"),
    ("internalServerException", "api_error"),
    ("validationException", "invalid_request_error"),
    ("modelTimeoutException", "timeout_error"),
    ("accessDeniedException", "permission_error"),
];

/// The API error type for a Bedrock exception name (`api_error` for one not listed).
pub(crate) fn api_error_type(exception: &str) -> &'static str {
    EXCEPTIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(exception))
        .map_or("api_error", |(_, kind)| kind)
}

/// RFC 3986 unreserved characters pass; everything else is `%XX`.
fn encode_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn model_ids_and_arns_are_one_encoded_segment() {
        assert_eq!(
            invoke_url("https://bedrock-runtime.us-east-1.amazonaws.com/", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream"
        );
        assert!(
            invoke_url("b", "arn:aws:bedrock:us-east-1:1:inference-profile/us.x")
                .contains("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/")
        );
    }

    #[test]
    fn the_body_loses_model_and_stream_and_gains_the_version() {
        let mut body = json!({"model": "m", "stream": true, "max_tokens": 5, "messages": []})
            .as_object()
            .cloned()
            .unwrap();
        to_bedrock_body(&mut body, &["interleaved-thinking-2025-05-14".into()]);
        assert_eq!(
            Value::Object(body),
            json!({"max_tokens": 5, "messages": [], "anthropic_version": "bedrock-2023-05-31", "anthropic_beta": ["interleaved-thinking-2025-05-14"]})
        );
    }

    #[test]
    fn exceptions_map_to_api_error_types() {
        assert_eq!(api_error_type("throttlingException"), "rate_limit_error");
        assert_eq!(
            api_error_type("ServiceUnavailableException"),
            "overloaded_error"
        );
        assert_eq!(api_error_type("somethingNew"), "api_error");
    }
}
