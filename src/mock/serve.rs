//! The HTTP side: routing, validation, and rendering a [`MockReply`] as a response.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};

use super::reply::{MockReply, ReplyBody};
use super::route::{self, Via};
use super::validate::{self, Endpoint, Refusal};
use super::{body, RecordedRequest, Shared};

/// Every request lands here.
pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let number = shared.counter.fetch_add(1, Ordering::SeqCst) + 1;
    let request_id = format!("req_mock_{number:016}");
    let recorded = RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        body: serde_json::from_slice(&raw)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into_owned())),
    };
    shared
        .requests
        .lock()
        .expect("not poisoned")
        .push(recorded.clone());
    tracing::debug!(target: "chat_anthropic::mock", path = %recorded.path, "mock request");
    if let Some(response) =
        super::resources::respond(&shared, &method, &uri, &headers, raw.clone(), &request_id).await
    {
        return response;
    }

    let routed = match (method, route::route(uri.path())) {
        (Method::POST, Some(routed)) => routed,
        _ => {
            let refusal = Refusal {
                status: 404,
                kind: "not_found_error".into(),
                message: format!("Not found: {}", uri.path()),
            };
            return error_response(Via::Anthropic, &refusal, &[], &request_id);
        }
    };
    let endpoint = routed.endpoint;
    let via = routed.via;
    let refuse = |refusal: &Refusal| error_response(via, refusal, &[], &request_id);
    if via == Via::Bedrock {
        if let Err(refusal) = bedrock_access(&shared, uri.path(), &recorded, &raw) {
            return refuse(&refusal);
        }
    }
    let header = |name: &str| recorded.headers.get(name).cloned();
    let checked = match via {
        Via::Anthropic => validate::headers(header).map(|()| raw.to_vec()),
        _ => route::to_anthropic_body(&routed, header, &raw),
    };
    let body = match checked.and_then(|raw| validate::body(&raw, endpoint)) {
        Ok(body) => body,
        Err(refusal) => return refuse(&refusal),
    };
    if endpoint == Endpoint::CountTokens {
        let total = super::prompt_cache::count(&body);
        return json_response(&json!({"input_tokens": total}), &request_id);
    }
    if let Err(refusal) = shared.signatures.check(&body) {
        return refuse(&refusal);
    }
    let usage = shared.cache.account(&body).to_json();
    let reply = shared.next_reply(&recorded);
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let model = body["model"].as_str().unwrap_or_default();
    let id = format!("msg_mock_{number:016}");
    let target = Target {
        via,
        stream,
        id: &id,
        model,
        usage: &usage,
        request_id: &request_id,
    };
    render(&shared, reply, &target)
}

/// Bedrock needs the feature, and a signature that checks out when the test registered
/// credentials.
fn bedrock_access(
    shared: &Shared,
    path: &str,
    recorded: &RecordedRequest,
    raw: &[u8],
) -> Result<(), Refusal> {
    #[cfg(feature = "bedrock")]
    {
        let credentials = shared.aws_credentials.lock().expect("not poisoned").clone();
        match credentials {
            Some(credentials) => super::bedrock::verify(&credentials, path, &recorded.headers, raw),
            None => Ok(()),
        }
    }
    #[cfg(not(feature = "bedrock"))]
    {
        let _ = (shared, recorded, raw);
        Err(Refusal {
            status: 404,
            kind: "not_found_error".into(),
            message: format!("{path}: the mock speaks Bedrock only with the `bedrock` feature"),
        })
    }
}

/// Who the response is for.
struct Target<'a> {
    via: Via,
    stream: bool,
    id: &'a str,
    model: &'a str,
    usage: &'a Value,
    request_id: &'a str,
}

/// Turns a reply into the response.
fn render(shared: &Shared, reply: MockReply, target: &Target<'_>) -> Response {
    let Target {
        via,
        stream,
        id,
        model,
        usage,
        request_id,
    } = *target;
    if let ReplyBody::Script(script) = &reply.body {
        for (signature, thinking) in script.signatures() {
            shared.signatures.remember(signature, thinking);
        }
    }
    let pieces: Vec<Bytes> = match (&reply.body, stream) {
        (
            ReplyBody::Error {
                status,
                kind,
                message,
            },
            _,
        ) => {
            let refusal = Refusal {
                status: *status,
                kind: kind.clone(),
                message: message.clone(),
            };
            return error_response(via, &refusal, &reply.headers, request_id);
        }
        (ReplyBody::Script(script), true) => script
            .events(id, model, usage)
            .iter()
            .map(sse_event)
            .collect(),
        (ReplyBody::Script(script), false) => {
            vec![script.message(id, model, usage).to_string().into()]
        }
        (ReplyBody::SseFile(path), _) => match std::fs::read(path) {
            Ok(bytes) => recorded_pieces(bytes.into(), stream),
            Err(err) => {
                let refusal = Refusal {
                    status: 500,
                    kind: "api_error".into(),
                    message: format!("mock: cannot read {}: {err}", path.display()),
                };
                return error_response(via, &refusal, &reply.headers, request_id);
            }
        },
        (ReplyBody::SseBytes(bytes), _) => recorded_pieces(bytes.clone(), stream),
    };
    let mut pieces = pieces;
    if let (Some((after, kind, message)), true) = (&reply.shape.error_event, stream) {
        pieces.truncate(*after);
        pieces.push(sse_event(&json!({
            "type": "error",
            "error": {"type": kind, "message": message},
        })));
    }
    let framed = via == Via::Bedrock && stream;
    #[cfg(feature = "bedrock")]
    if framed {
        pieces = pieces
            .iter()
            .flat_map(|piece| super::bedrock::bedrock_frames(piece))
            .collect();
    }
    let body = body::shaped(
        pieces,
        &reply.shape,
        shared.stats.clone(),
        shared.shutdown.clone(),
    );
    let mut response = Response::new(Body::from_stream(body));
    let content_type = match (framed, stream) {
        (true, _) => "application/vnd.amazon.eventstream",
        (false, true) => "text/event-stream",
        (false, false) => "application/json",
    };
    set_headers(&mut response, content_type, &reply.headers, request_id);
    response
}

/// A recorded stream: as is when streaming (one piece per event), or assembled into the
/// non-streaming message the API would have sent.
fn recorded_pieces(bytes: Bytes, stream: bool) -> Vec<Bytes> {
    if stream {
        return split_events(&bytes);
    }
    let mut decoder = crate::sse::SseDecoder::new();
    decoder.push(bytes);
    let mut aggregator = crate::aggregate::MessageAggregator::new();
    while let Some(Ok(event)) = decoder.next_event() {
        match crate::event::StreamEvent::from_sse(&event) {
            Ok(event) if aggregator.apply(&event).is_ok() => {}
            _ => break,
        }
    }
    vec![serde_json::to_vec(&aggregator.api_message())
        .unwrap_or_default()
        .into()]
}

/// Splits an event stream after each blank line, so faults can count events.
fn split_events(bytes: &Bytes) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while let Some(found) = memchr::memmem::find(&bytes[at..], b"\n\n") {
        at += found + 2;
        pieces.push(bytes.slice(start..at));
        start = at;
    }
    if start < bytes.len() {
        pieces.push(bytes.slice(start..));
    }
    pieces
}

fn sse_event(event: &Value) -> Bytes {
    let name = event["type"].as_str().unwrap_or("message");
    format!("event: {name}\ndata: {event}\n\n").into()
}

/// A 200 with a JSON body.
pub(super) fn json_response(body: &Value, request_id: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    set_headers(&mut response, "application/json", &[], request_id);
    response
}

/// An error in the platform's shape: the API's envelope, or Bedrock's `{"message"}` with
/// the error type in `x-amzn-errortype`.
pub(super) fn error_response(
    via: Via,
    refusal: &Refusal,
    headers: &[(String, String)],
    request_id: &str,
) -> Response {
    let body = match via {
        Via::Bedrock => json!({ "message": refusal.message }),
        _ => json!({
            "type": "error",
            "error": {"type": refusal.kind, "message": refusal.message},
            "request_id": request_id,
        }),
    };
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() =
        StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    set_headers(&mut response, "application/json", headers, request_id);
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
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
}
