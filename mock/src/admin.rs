//! The admin endpoints under `/mock/`, for tests that cannot call the Rust API (the standalone
//! server driven from Python, TypeScript, curl): queue scripted replies, read what the server
//! received. They need no API key, are not recorded and do not count as requests.

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::Method;
use axum::response::Response;
use serde_json::json;

use super::replies::ScriptedReply;
use super::respond;
use super::route::Via;
use super::routes::not_found;
use super::validate::invalid;
use super::Shared;

/// The path prefix of the admin endpoints.
pub(super) const PREFIX: &str = "/mock/";

/// The answer to an admin request (`path` starts with [`PREFIX`]).
pub(super) fn respond(shared: &Shared, method: &Method, path: &str, raw: &[u8]) -> Response {
    let request_id = "req_mock_admin";
    let Some(endpoint) = super::routes::find(method.as_str(), path) else {
        return respond::error(Via::Anthropic, &not_found(path), &[], request_id);
    };
    let answer = match (endpoint.method(), endpoint.path()) {
        ("POST", "/mock/replies") => ScriptedReply::parse_body(raw)
            .map_err(|why| invalid(format!("/mock/replies: {why}")))
            .map(|replies| {
                let queued = replies.len();
                for reply in replies {
                    shared.enqueue(reply);
                }
                json!({ "queued": queued, "pending": shared.pending() })
            }),
        ("DELETE", "/mock/replies") => Ok(json!({ "dropped": shared.drop_queued() })),
        ("GET", "/mock/requests") => {
            let count = shared.counter.load(Ordering::SeqCst);
            Ok(json!({ "data": shared.log.snapshot(), "count": count }))
        }
        ("DELETE", "/mock/requests") => {
            shared.log.clear();
            Ok(json!({ "cleared": true }))
        }
        _ => Err(not_found(path)),
    };
    match answer {
        Ok(body) => respond::ok(
            Body::from(body.to_string()),
            "application/json",
            &[],
            request_id,
        ),
        Err(refusal) => respond::error(Via::Anthropic, &refusal, &[], request_id),
    }
}
