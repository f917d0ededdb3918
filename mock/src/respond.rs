//! Writing responses: the headers every answer carries, and errors in each platform's shape.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use super::route::Via;
use super::validate::Refusal;

/// A 200 with this body and content type, plus the request id and a reply's extra headers.
pub(super) fn ok(
    body: Body,
    content_type: &'static str,
    extra: &[(String, String)],
    request_id: &str,
) -> Response {
    let mut response = Response::new(body);
    set_headers(&mut response, content_type, extra, request_id);
    response
}

/// An error in the platform's shape: the API's envelope, or Bedrock's `{"message"}` with
/// the error type in `x-amzn-errortype`.
pub(super) fn error(
    via: Via,
    refusal: &Refusal,
    headers: &[(String, String)],
    request_id: &str,
) -> Response {
    let body = match via {
        Via::Bedrock => serde_json::json!({ "message": refusal.message }),
        _ => serde_json::json!({
            "type": "error",
            "error": {"type": refusal.kind, "message": refusal.message},
            "request_id": request_id,
        }),
    };
    let mut response = ok(
        Body::from(body.to_string()),
        "application/json",
        headers,
        request_id,
    );
    *response.status_mut() =
        StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if via == Via::Bedrock {
        if let Ok(value) = HeaderValue::from_str(&refusal.kind) {
            response.headers_mut().insert("x-amzn-errortype", value);
        }
    }
    response
}

fn set_headers(
    response: &mut Response,
    content_type: &'static str,
    extra: &[(String, String)],
    request_id: &str,
) {
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", value);
    }
    for (name, value) in extra {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
}
