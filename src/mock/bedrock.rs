//! The mock's Bedrock side: SSE events framed as AWS event-stream messages, and SigV4
//! signatures checked against the credentials a test registered.

use std::collections::BTreeMap;

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use base64::Engine;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName};
use serde_json::{json, Value};

use super::validate::Refusal;
use crate::bedrock::{canonical_time, sign, AwsCredentials, EXCEPTIONS};
use crate::sse::SseDecoder;

/// One Bedrock `chunk` frame carrying one Messages stream event (its JSON bytes), as
/// `InvokeModelWithResponseStream` sends it: `{"bytes": base64, "p": padding}` with the
/// `:event-type chunk` headers.
///
/// ```
/// let frame = chat_anthropic::mock::bedrock_frame(br#"{"type":"message_stop"}"#);
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
/// The SSE is read with the crate's own decoder; anything it cannot read ends the framing.
///
/// ```
/// let sse = "event: ping\ndata: {\"type\":\"ping\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
/// assert_eq!(chat_anthropic::mock::bedrock_frames(sse.as_bytes()).len(), 2);
/// ```
pub fn bedrock_frames(sse: &[u8]) -> Vec<Bytes> {
    let mut decoder = SseDecoder::new();
    decoder.push(Bytes::copy_from_slice(sse));
    std::iter::from_fn(|| decoder.next_event()?.ok())
        .map(|event| {
            let error: Option<Value> = (event.event() == "error")
                .then(|| serde_json::from_str(event.data()).ok())
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
                None => bedrock_frame(event.data().as_bytes()),
            }
        })
        .collect()
}

/// Checks a request's SigV4 signature by signing it again with the registered credentials at
/// the time its `x-amz-date` names, and comparing.
pub(super) fn verify(
    credentials: &AwsCredentials,
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
        headers.get("x-amz-date").and_then(|d| canonical_time(d)),
    ) else {
        return Err(refuse(
            "permission_error",
            "missing region scope or x-amz-date",
        ));
    };
    let mut resigned = HeaderMap::new();
    for name in signed_headers.split(';') {
        if matches!(
            name,
            "host" | "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
        ) {
            continue;
        }
        let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(name.as_bytes()),
            headers.get(name).map(|v| v.parse()),
        ) else {
            return Err(refuse("permission_error", "a signed header is missing"));
        };
        resigned.insert(name, value);
    }
    let host = headers.get("host").map(String::as_str).unwrap_or_default();
    sign(
        "POST",
        &format!("http://{host}{path}"),
        &mut resigned,
        body,
        credentials,
        region,
        time,
    )
    .map_err(|err| refuse("permission_error", &err.to_string()))?;
    if resigned.get("authorization").and_then(|v| v.to_str().ok()) == Some(auth) {
        Ok(())
    } else {
        Err(refuse(
            "permission_error",
            "InvalidSignatureException: The request signature we calculated does not match the signature you provided.",
        ))
    }
}
