//! The HTTP side: every request is recorded, routed, admitted (the checks the API makes
//! before it generates) and answered.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::render::{render, Target};
use super::route::{self, Route, Via};
use super::validate::{self, Endpoint, Refusal};
use super::{models, prompt_cache, respond, RecordedRequest, Shared};

/// Every request lands here; in rate-limit mode every response gets the window's headers, and a
/// page's request the CORS answer the API gives (`cors`).
pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    if let Some(preflight) = super::cors::preflight(&method, uri.path(), &headers) {
        return preflight;
    }
    let page_may_read = super::cors::page_may_read(uri.path(), &headers);
    let mut response = respond_to(&shared, method, uri, headers, raw).await;
    shared.rate_limits.add_headers(response.headers_mut());
    if page_may_read {
        super::cors::let_the_page_read(response.headers_mut());
    }
    response
}

/// Answers an admin request; else records the request, refuses a path the endpoint table
/// does not have, then routes it: Models and Files, the Batches API, or a Messages endpoint.
async fn respond_to(
    shared: &Arc<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    if uri.path().starts_with(super::admin::PREFIX) {
        return super::admin::respond(shared, &method, uri.path(), &raw);
    }
    let number = shared.counter.fetch_add(1, Ordering::SeqCst) + 1;
    let request_id = format!("req_mock_{number:016}");
    let recorded = record(&method, &uri, &headers, &raw);
    shared.log.push(recorded.clone());
    tracing::debug!(target: "chat_anthropic_mock", path = %recorded.path, "mock request");
    if super::routes::find(method.as_str(), uri.path()).is_none() {
        let refusal = super::routes::not_found(uri.path());
        return respond::error(Via::Anthropic, &refusal, &[], &request_id);
    }
    if let Some(refusal) = super::cors::refusal(uri.path(), &headers) {
        return respond::error(Via::Anthropic, &refusal, &[], &request_id);
    }

    let resource =
        super::resources::respond(shared, &method, &uri, &headers, raw.clone(), &request_id);
    if let Some(response) = resource.await {
        return response;
    }
    if let Some(batch) = route::batch_route(&method, uri.path()) {
        return super::batches::handle(
            shared,
            batch,
            &recorded,
            &raw,
            uri.query(),
            &headers,
            &request_id,
        );
    }
    let routed = match route_post(&method, uri.path()) {
        Ok(routed) => routed,
        Err(refusal) => return respond::error(Via::Anthropic, &refusal, &[], &request_id),
    };
    let body = match admit(shared, &routed, &recorded, &raw) {
        Ok(body) => body,
        Err(refusal) => return respond::error(routed.via, &refusal, &[], &request_id),
    };
    match routed.endpoint {
        Endpoint::CountTokens => count_tokens(&body, &request_id),
        Endpoint::Messages => {
            let id = format!("msg_mock_{number:016}");
            answer(shared, routed.via, &recorded, &body, &id, &request_id)
        }
    }
}

/// The request as tests see it: headers by name, the body as JSON when it is JSON.
fn record(method: &Method, uri: &Uri, headers: &HeaderMap, raw: &[u8]) -> RecordedRequest {
    RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        body: serde_json::from_slice(raw)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(raw).into_owned())),
    }
}

/// The endpoint a `POST` is for; anything else is a 404.
fn route_post(method: &Method, path: &str) -> Result<Route, Refusal> {
    match (method, route::route(path)) {
        (&Method::POST, Some(routed)) => Ok(routed),
        _ => Err(super::routes::not_found(path)),
    }
}

/// What the API checks before it generates: the platform's access, the headers, the body
/// (turned into the Anthropic form) and the model. Returns the body.
fn admit(
    shared: &Shared,
    routed: &Route,
    recorded: &RecordedRequest,
    raw: &[u8],
) -> Result<Map<String, Value>, Refusal> {
    if routed.via == Via::Bedrock {
        bedrock_access(shared, &recorded.path, recorded, raw)?;
    }
    let header = |name: &str| recorded.headers.get(name).cloned();
    let raw = match routed.via {
        Via::Anthropic => validate::headers(header).map(|()| raw.to_vec())?,
        _ => route::to_anthropic_body(routed, header, raw)?,
    };
    let body = validate::body(&raw, routed.endpoint)?;
    let body = super::beta_rules::check(body, recorded)?;
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !shared.any_model && !models::is_known(model) {
        return Err(models::not_found(model));
    }
    Ok(body)
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

/// `POST /v1/messages/count_tokens`: the input tokens, cached or not.
fn count_tokens(body: &Map<String, Value>, request_id: &str) -> Response {
    let total = prompt_cache::count(body);
    let json = json!({ "input_tokens": total }).to_string();
    respond::ok(Body::from(json), "application/json", &[], request_id)
}

/// `POST /v1/messages`: the signatures sent back are checked, the prompt cache accounts for
/// the input, and the next reply is rendered.
fn answer(
    shared: &Shared,
    via: Via,
    recorded: &RecordedRequest,
    body: &Map<String, Value>,
    id: &str,
    request_id: &str,
) -> Response {
    if let Err(refusal) = shared.signatures.check(body) {
        return respond::error(via, &refusal, &[], request_id);
    }
    if let Err((refusal, headers)) = shared.rate_limits.admit(body) {
        return respond::error(via, &refusal, &headers, request_id);
    }
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let usage = shared
        .cache
        .account(body, models::min_cacheable_tokens(model))
        .to_json();
    // `max_tokens: 0` only writes the prompt cache: no content, whatever is queued.
    let reply = match body.get("max_tokens").and_then(Value::as_u64) {
        Some(0) => super::MockReply::script(
            super::MockScript::new()
                .stop_reason("max_tokens")
                .output_tokens(0),
        ),
        _ => shared.next_reply(recorded),
    };
    shared.rate_limits.charge_output(&reply);
    let target = Target {
        via,
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
        id,
        model,
        usage: &usage,
        request_id,
    };
    render(shared, reply, &target)
}
