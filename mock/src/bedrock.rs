//! The mock's Bedrock side: SSE events framed as AWS event-stream messages, and SigV4
//! signatures checked against the credentials a test registered (by signing the request again
//! with `aws-sigv4`, AWS's own signer, with the settings Bedrock's SDKs use).

use std::collections::BTreeMap;

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Value};

use super::validate::Refusal;

/// Bedrock's exception names for the API's error types, as Bedrock's
/// `InvokeModelWithResponseStream` documentation lists its stream errors.
const EXCEPTIONS: &[(&str, &str)] = &[
    ("throttlingException", "rate_limit_error"),
    ("serviceUnavailableException", "overloaded_error"),
    ("internalServerException", "api_error"),
    ("validationException", "invalid_request_error"),
    ("modelTimeoutException", "timeout_error"),
    ("accessDeniedException", "permission_error"),
];

/// The AWS credentials the mock checks Bedrock signatures against
/// ([`MockServer::set_aws_credentials`](crate::MockServer::set_aws_credentials)).
///
/// ```
/// use chat_anthropic_mock::MockAwsCredentials;
/// let credentials = MockAwsCredentials::new("AKIDEXAMPLE", "secret").session_token("token");
/// assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
/// ```
#[derive(Clone)]
pub struct MockAwsCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl MockAwsCredentials {
    /// An access key and its secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// With the session token of temporary credentials (signed as `x-amz-security-token`).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
}

impl std::fmt::Debug for MockAwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockAwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// One Bedrock `chunk` frame carrying one Messages stream event (its JSON bytes), as
/// `InvokeModelWithResponseStream` sends it: `{"bytes": base64, "p": padding}` with the
/// `:event-type chunk` headers.
///
/// ```
/// let frame = chat_anthropic_mock::bedrock_frame(br#"{"type":"message_stop"}"#);
/// assert_eq!(u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize, frame.len());
/// ```
pub fn bedrock_frame(event_json: &[u8]) -> Bytes {
    let payload = json!({
        "bytes": base64::engine::general_purpose::STANDARD.encode(event_json),
        // Bedrock pads payloads so their size does not reveal the content.
        "p": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[..event_json.len() % 32 + 1],
    });
    frame(
        &[
            (":event-type", "chunk"),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        payload.to_string(),
    )
}

/// An exception frame, as Bedrock ends a stream that fails midway.
fn exception_frame(exception: &str, message: &str) -> Bytes {
    frame(
        &[
            (":exception-type", exception),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ],
        json!({ "message": message }).to_string(),
    )
}

fn frame(headers: &[(&str, &str)], payload: String) -> Bytes {
    let headers = headers
        .iter()
        .map(|(name, value)| {
            Header::new(
                name.to_string(),
                HeaderValue::String(value.to_string().into()),
            )
        })
        .collect();
    let mut out = Vec::new();
    write_message_to(&Message::new_from_parts(headers, payload), &mut out)
        .expect("a frame of a few kilobytes always encodes");
    Bytes::from(out)
}

/// A Messages API event stream (SSE bytes, e.g. a recorded `.sse` file) framed the way
/// Bedrock sends it: one chunk frame per event, and an exception frame for an `error` event.
/// Events are read by the SSE rules; an unfinished last event is not framed.
///
/// ```
/// let sse = "event: ping\ndata: {\"type\":\"ping\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
/// assert_eq!(chat_anthropic_mock::bedrock_frames(sse.as_bytes()).len(), 2);
/// ```
pub fn bedrock_frames(sse: &[u8]) -> Vec<Bytes> {
    super::sse::events(sse)
        .into_iter()
        .map(|event| {
            let error: Option<Value> = (event.name == "error")
                .then(|| serde_json::from_str(&event.data).ok())
                .flatten();
            match error {
                Some(error) => {
                    let kind = error["error"]["type"].as_str().unwrap_or("api_error");
                    let exception = EXCEPTIONS
                        .iter()
                        .find(|(_, api)| *api == kind)
                        .map_or("internalServerException", |(name, _)| name);
                    exception_frame(
                        exception,
                        error["error"]["message"].as_str().unwrap_or_default(),
                    )
                }
                None => bedrock_frame(event.data.as_bytes()),
            }
        })
        .collect()
}

/// Checks a request's SigV4 signature by signing it again with the registered credentials at
/// the time its `x-amz-date` names, over the headers it says it signed, and comparing.
pub(super) fn verify(
    credentials: &MockAwsCredentials,
    path: &str,
    headers: &BTreeMap<String, String>,
    body: &[u8],
) -> Result<(), Refusal> {
    let refuse = |kind: &str, message: &str| Refusal {
        status: 403,
        kind: kind.into(),
        message: message.into(),
    };
    let auth = headers
        .get("authorization")
        .map(String::as_str)
        .unwrap_or_default();
    let field = |name: &str| {
        auth.split([' ', ','])
            .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
    };
    let (Some(credential), Some(signed_headers)) = (field("Credential"), field("SignedHeaders"))
    else {
        return Err(refuse(
            "permission_error",
            "Authorization header requires Credential and SignedHeaders",
        ));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.first() != Some(&credentials.access_key_id()) {
        return Err(refuse(
            "authentication_error",
            "UnrecognizedClientException: The security token included in the request is invalid.",
        ));
    }
    let (Some(region), Some(time)) = (
        scope.get(2),
        headers.get("x-amz-date").and_then(|d| amz_date(d)),
    ) else {
        return Err(refuse(
            "permission_error",
            "missing region scope or x-amz-date",
        ));
    };
    // The signer adds these itself; every other signed header must have come with the request.
    let added = [
        "host",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
    ];
    let mut signed = Vec::new();
    for name in signed_headers
        .split(';')
        .filter(|name| !added.contains(name))
    {
        let Some(value) = headers.get(name) else {
            return Err(refuse("permission_error", "a signed header is missing"));
        };
        signed.push((name, value.as_str()));
    }
    let host = headers.get("host").map(String::as_str).unwrap_or_default();
    let expected = signature(
        credentials,
        &format!("http://{host}{path}"),
        &signed,
        body,
        region,
        time,
    )
    .map_err(|err| refuse("permission_error", &err))?;
    if expected == auth {
        Ok(())
    } else {
        Err(refuse(
            "permission_error",
            "InvalidSignatureException: The request signature we calculated does not match the signature you provided.",
        ))
    }
}

/// The `authorization` header AWS's signer makes for this request (service `bedrock`, the
/// default settings: double-encoded normalized path, payload hash signed but not sent).
fn signature(
    credentials: &MockAwsCredentials,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    region: &str,
    time: std::time::SystemTime,
) -> Result<String, String> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;

    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        credentials.session_token.clone(),
        None,
        "chat-anthropic-mock",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("bedrock")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|err| err.to_string())?
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|err| err.to_string())?;
    let (instructions, _) = sign(request, &params)
        .map_err(|err| err.to_string())?
        .into_parts();
    let (added, _query) = instructions.into_parts();
    added
        .into_iter()
        .find(|header| header.name() == "authorization")
        .map(|header| header.value().to_owned())
        .ok_or_else(|| "the signer made no authorization header".to_owned())
}

/// The time an `x-amz-date` value (`20261125T101500Z`, ISO 8601 basic format in UTC) names.
fn amz_date(value: &str) -> Option<std::time::SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = time::PrimitiveDateTime::parse(value, format)
        .ok()?
        .assume_utc();
    let seconds = u64::try_from(at.unix_timestamp()).ok()?;
    Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_read_as_utc() {
        // 2026-11-25T10:15:00Z, by `date -u -d 2026-11-25T10:15:00Z +%s`.
        assert_eq!(
            amz_date("20261125T101500Z"),
            Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_601_700))
        );
        assert_eq!(amz_date("2026-11-25T10:15:00Z"), None);
    }
}
