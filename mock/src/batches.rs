//! The Message Batches API, mocked with its lifecycle: a batch is `in_progress` until its
//! processing time has passed (or [`MockServer::end_batches`]), then `ended` with counts by
//! outcome; cancel makes it `canceling`, then `ended` with the requests not yet processed
//! canceled; results are JSONL, one line per request in an order other than the request
//! order, sent in chunks; unknown ids are 404s; creation is checked as the API checks it.
//!
//! Each request's outcome is what the mock would answer that request on `/v1/messages`
//! (the queue, the responder, or the echo) as a non-streaming message, unless scripted with
//! [`MockServer::batch_outcome`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::render::recorded_pieces;
use super::reply::{MockReply, ReplyBody, Shape};
use super::respond;
use super::route::{BatchRoute, Via};
use super::validate::{self, invalid, Endpoint, Refusal};
use super::{MockServer, RecordedRequest, Shared};

/// The API's limits on one batch.
const MAX_REQUESTS: usize = 100_000;
const MAX_BYTES: usize = 256 * 1024 * 1024;

/// A scripted outcome for one request of a batch, by `custom_id`.
///
/// ```
/// use chat_anthropic_mock::{MockBatchOutcome, MockReply};
/// let succeeded: MockBatchOutcome = MockReply::text("Hi").into();
/// let errored: MockBatchOutcome = MockReply::error(500, "api_error", "Internal error").into();
/// let expired = MockBatchOutcome::Expired;
/// # let _ = (succeeded, errored, expired);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MockBatchOutcome {
    /// Answer as this reply would on `/v1/messages`: a message (succeeded), or an error
    /// reply's type and message (errored).
    Reply(Box<MockReply>),
    /// Canceled.
    Canceled,
    /// Expired.
    Expired,
}

impl From<MockReply> for MockBatchOutcome {
    fn from(reply: MockReply) -> Self {
        Self::Reply(Box::new(reply))
    }
}

/// Every batch the server holds, and how batches behave.
#[derive(Debug)]
pub(super) struct BatchStore {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    batches: BTreeMap<u64, Batch>,
    next: u64,
    scripted: HashMap<String, MockBatchOutcome>,
    processing_time: Duration,
    cancel_time: Duration,
    chunk_size: usize,
}

impl Default for BatchStore {
    fn default() -> Self {
        Self {
            state: Mutex::new(State {
                batches: BTreeMap::new(),
                next: 1,
                scripted: HashMap::new(),
                processing_time: Duration::from_millis(50),
                cancel_time: Duration::from_millis(10),
                chunk_size: 4096,
            }),
        }
    }
}

/// One request's fate: a result line, or canceled/expired.
#[derive(Debug, Clone)]
enum Outcome {
    Succeeded(Value),
    Errored(Refusal),
    Canceled,
    Expired,
}

#[derive(Debug)]
struct Batch {
    id: String,
    created: (Instant, SystemTime),
    processing_time: Duration,
    ended_early: Option<(Instant, SystemTime)>,
    /// When cancel was asked, and how many requests had been processed by then.
    canceled: Option<((Instant, SystemTime), usize)>,
    cancel_time: Duration,
    requests: Vec<(String, Outcome)>,
}

impl Batch {
    /// When processing ended, if it has.
    fn ended_at(&self, now: Instant) -> Option<SystemTime> {
        let at = |(instant, system): (Instant, SystemTime), after: Duration| {
            (now >= instant + after).then(|| system + after)
        };
        if let Some((when, _)) = self.canceled {
            return at(when, self.cancel_time);
        }
        self.ended_early
            .map(|(_, system)| system)
            .or_else(|| at(self.created, self.processing_time))
    }

    /// How many requests have been processed (in request order) by `at`.
    fn processed_by(&self, at: Instant) -> usize {
        let elapsed = at.saturating_duration_since(self.created.0);
        if self.processing_time.is_zero() || elapsed >= self.processing_time {
            return self.requests.len();
        }
        let share = elapsed.as_secs_f64() / self.processing_time.as_secs_f64();
        (self.requests.len() as f64 * share) as usize
    }

    /// Request `index`'s final outcome: canceled when a cancel came before it was processed.
    fn outcome(&self, index: usize) -> &Outcome {
        match self.canceled {
            Some((_, processed)) if index >= processed => &Outcome::Canceled,
            _ => &self.requests[index].1,
        }
    }

    fn to_json(&self, now: Instant, base_url: &str) -> Value {
        let ended_at = self.ended_at(now);
        let status = match (ended_at, self.canceled) {
            (Some(_), _) => "ended",
            (None, Some(_)) => "canceling",
            (None, None) => "in_progress",
        };
        let mut counts =
            json!({"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0});
        for index in 0..self.requests.len() {
            let key = match (ended_at, self.outcome(index)) {
                (None, _) => "processing",
                (_, Outcome::Succeeded(_)) => "succeeded",
                (_, Outcome::Errored(_)) => "errored",
                (_, Outcome::Canceled) => "canceled",
                (_, Outcome::Expired) => "expired",
            };
            counts[key] = (counts[key].as_u64().unwrap_or(0) + 1).into();
        }
        let day = Duration::from_secs(24 * 3600);
        json!({
            "id": self.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": rfc3339(self.created.1),
            "expires_at": rfc3339(self.created.1 + day),
            "ended_at": ended_at.map(rfc3339),
            "cancel_initiated_at": self.canceled.map(|((_, at), _)| rfc3339(at)),
            "archived_at": null,
            "results_url": ended_at.map(|_| format!("{base_url}/v1/messages/batches/{}/results", self.id)),
        })
    }

    /// The results file, one line per request, odd positions first then even (the API
    /// promises no order; callers must go by `custom_id`).
    fn result_lines(&self) -> Vec<Bytes> {
        let order = (0..self.requests.len())
            .filter(|i| i % 2 == 1)
            .chain((0..self.requests.len()).filter(|i| i % 2 == 0));
        order
            .map(|index| {
                let result = match self.outcome(index) {
                    Outcome::Succeeded(message) => json!({"type": "succeeded", "message": message}),
                    Outcome::Errored(refusal) => json!({"type": "errored", "error": {
                        "type": "error",
                        "error": {"type": refusal.kind, "message": refusal.message},
                    }}),
                    Outcome::Canceled => json!({"type": "canceled"}),
                    Outcome::Expired => json!({"type": "expired"}),
                };
                let line = json!({"custom_id": self.requests[index].0, "result": result});
                Bytes::from(format!("{line}\n"))
            })
            .collect()
    }
}

fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_micros(at).to_string()
}

/// Answers a request to the batches API.
pub(super) fn handle(
    shared: &Shared,
    route: BatchRoute,
    recorded: &RecordedRequest,
    raw: &[u8],
    query: Option<&str>,
    request_headers: &HeaderMap,
    request_id: &str,
) -> Response {
    let refuse = |refusal: &Refusal| respond::error(Via::Anthropic, refusal, &[], request_id);
    if let Err(refusal) = validate::headers(|name| recorded.headers.get(name).cloned()) {
        return refuse(&refusal);
    }
    let base_url = request_headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}"))
        .unwrap_or_default();
    let store = &shared.batches;
    let now = Instant::now();
    let answer = match route {
        BatchRoute::Create => create(shared, raw).map(|batch| {
            let mut state = store.lock();
            let json = batch.to_json(now, &base_url);
            let key = batch_key(&batch.id).unwrap_or_default();
            state.batches.insert(key, batch);
            json
        }),
        BatchRoute::List => store.list(query, now, &base_url),
        BatchRoute::Retrieve(id) => store.with(&id, |batch| Ok(batch.to_json(now, &base_url))),
        BatchRoute::Cancel(id) => store.with(&id, |batch| {
            if batch.canceled.is_none() && batch.ended_at(now).is_none() {
                batch.canceled = Some(((now, SystemTime::now()), batch.processed_by(now)));
            }
            Ok(batch.to_json(now, &base_url))
        }),
        BatchRoute::Delete(id) => {
            let deleted = store.with(&id, |batch| match batch.ended_at(now) {
                Some(_) => Ok(json!({"id": batch.id, "type": "message_batch_deleted"})),
                None => Err(invalid(format!(
                    "Batch {} cannot be deleted while it is processing; cancel it first",
                    batch.id
                ))),
            });
            if deleted.is_ok() {
                store
                    .lock()
                    .batches
                    .remove(&batch_key(&id).unwrap_or_default());
            }
            deleted
        }
        BatchRoute::Results(id) => {
            let lines = store.with(&id, |batch| match batch.ended_at(now) {
                Some(_) => Ok(batch.result_lines()),
                None => Err(invalid(format!(
                    "Results for batch {} are not available: it is still processing",
                    batch.id
                ))),
            });
            return match lines {
                Ok(lines) => results_response(shared, lines, request_id),
                Err(refusal) => refuse(&refusal),
            };
        }
    };
    match answer {
        Ok(json) => respond::ok(
            Body::from(json.to_string()),
            "application/json",
            &[],
            request_id,
        ),
        Err(refusal) => refuse(&refusal),
    }
}

/// The JSONL body, re-cut into chunks of the configured size so lines straddle chunks.
fn results_response(shared: &Shared, lines: Vec<Bytes>, request_id: &str) -> Response {
    let shape = Shape {
        chunk_size: Some(shared.batches.lock().chunk_size),
        ..Shape::default()
    };
    let parts = lines.into_iter().map(super::faults::Part::Data).collect();
    let body = super::body::shaped(parts, &shape, shared.stats.clone(), shared.shutdown.clone());
    respond::ok(
        Body::from_stream(body),
        "application/binary",
        &[],
        request_id,
    )
}

/// Checks the create body as the API does and settles every request's outcome.
fn create(shared: &Shared, raw: &[u8]) -> Result<Batch, Refusal> {
    if raw.len() > MAX_BYTES {
        return Err(Refusal {
            status: 413,
            kind: "request_too_large".into(),
            message: format!("Request exceeds the maximum allowed number of bytes ({MAX_BYTES})"),
        });
    }
    let body: Value = serde_json::from_slice(raw).map_err(|e| {
        invalid(format!(
            "There was an error parsing the body of your request: {e}"
        ))
    })?;
    let Some(requests) = body.get("requests").and_then(Value::as_array) else {
        return Err(invalid("requests: Field required"));
    };
    if requests.is_empty() || requests.len() > MAX_REQUESTS {
        return Err(invalid(format!(
            "requests: List should have at least 1 item and at most {MAX_REQUESTS} items"
        )));
    }
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(requests.len());
    for (index, request) in requests.iter().enumerate() {
        let custom_id = request
            .get("custom_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !is_valid_custom_id(custom_id) {
            return Err(invalid(format!(
                "requests.{index}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            )));
        }
        if !seen.insert(custom_id) {
            return Err(invalid(format!(
                "requests.{index}.custom_id: Duplicate custom_id '{custom_id}'; each request needs a unique custom_id"
            )));
        }
        let Some(Value::Object(params)) = request.get("params") else {
            return Err(invalid(format!("requests.{index}.params: Field required")));
        };
        if params.contains_key("stream") {
            return Err(invalid(format!(
                "requests.{index}.params.stream: Extra inputs are not permitted"
            )));
        }
        checked.push((custom_id.to_owned(), params));
    }
    let (number, processing_time, cancel_time) = {
        let mut state = shared.batches.lock();
        state.next += 1;
        (state.next - 1, state.processing_time, state.cancel_time)
    };
    let id = format!("msgbatch_mock_{number:016}");
    let requests = checked
        .into_iter()
        .enumerate()
        .map(|(index, (custom_id, params))| {
            let outcome = settle(shared, &id, index, &custom_id, params);
            (custom_id, outcome)
        })
        .collect();
    Ok(Batch {
        id,
        created: (Instant::now(), SystemTime::now()),
        processing_time,
        ended_early: None,
        canceled: None,
        cancel_time,
        requests,
    })
}

/// One request's outcome: scripted, else the mock's answer to it on `/v1/messages`.
fn settle(
    shared: &Shared,
    batch: &str,
    index: usize,
    custom_id: &str,
    params: &Map<String, Value>,
) -> Outcome {
    let scripted = shared.batches.lock().scripted.get(custom_id).cloned();
    let reply = match scripted {
        Some(MockBatchOutcome::Canceled) => return Outcome::Canceled,
        Some(MockBatchOutcome::Expired) => return Outcome::Expired,
        Some(MockBatchOutcome::Reply(reply)) => Some(*reply),
        None => None,
    };
    let raw = serde_json::to_vec(params).unwrap_or_default();
    let body = match validate::body(&raw, Endpoint::Messages) {
        Ok(body) => body,
        Err(refusal) => return Outcome::Errored(refusal),
    };
    if let Err(refusal) = shared.signatures.check(&body) {
        return Outcome::Errored(refusal);
    }
    let request = RecordedRequest {
        method: "POST".into(),
        path: "/v1/messages".into(),
        headers: BTreeMap::new(),
        body: Value::Object(body.clone()),
    };
    let reply = reply.unwrap_or_else(|| shared.next_reply(&request));
    let model = body["model"].as_str().unwrap_or_default();
    let usage = shared
        .cache
        .account(&body, super::models::min_cacheable_tokens(model))
        .to_json();
    let id = format!(
        "msg_mock_{}_{index:06}",
        batch.trim_start_matches("msgbatch_mock_")
    );
    match reply.body {
        ReplyBody::Script(script) => {
            for (signature, thinking) in script.signatures() {
                shared.signatures.remember(signature, thinking);
            }
            Outcome::Succeeded(script.message(&id, model, &usage))
        }
        ReplyBody::SseBytes(bytes) => recorded_message(recorded_pieces(bytes, false)),
        ReplyBody::SseFile(path) => match std::fs::read(&path) {
            Ok(bytes) => recorded_message(recorded_pieces(bytes.into(), false)),
            Err(err) => Outcome::Errored(Refusal {
                status: 500,
                kind: "api_error".into(),
                message: format!("mock: cannot read {}: {err}", path.display()),
            }),
        },
        ReplyBody::Error {
            status,
            kind,
            message,
        } => Outcome::Errored(Refusal {
            status,
            kind,
            message,
        }),
    }
}

fn recorded_message(pieces: Vec<Bytes>) -> Outcome {
    let message = pieces
        .first()
        .and_then(|piece| serde_json::from_slice(piece).ok())
        .unwrap_or(Value::Null);
    Outcome::Succeeded(message)
}

/// `msgbatch_mock_0000000000000007` → 7 (the store's key: creation order).
fn batch_key(id: &str) -> Option<u64> {
    id.strip_prefix("msgbatch_mock_")?.parse().ok()
}

impl BatchStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("not poisoned")
    }

    /// Runs `f` on batch `id`, or answers 404.
    fn with<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Batch) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let mut state = self.lock();
        match batch_key(id).and_then(|key| state.batches.get_mut(&key)) {
            Some(batch) => f(batch),
            None => Err(Refusal {
                status: 404,
                kind: "not_found_error".into(),
                message: format!("No batch found with id {id}"),
            }),
        }
    }

    /// A page, newest first: `limit` (1 to 1,000, default 20), `after_id` (older than),
    /// `before_id` (newer than).
    fn list(&self, query: Option<&str>, now: Instant, base_url: &str) -> Result<Value, Refusal> {
        let params: HashMap<String, String> = query
            .map(|q| {
                q.split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let limit = match params.get("limit").map(|l| l.parse::<usize>()) {
            None => 20,
            Some(Ok(limit)) if (1..=1000).contains(&limit) => limit,
            Some(_) => return Err(invalid("limit: Input should be between 1 and 1000")),
        };
        let state = self.lock();
        let newest_first = state.batches.iter().rev();
        let selected: Vec<&Batch> = match (params.get("after_id"), params.get("before_id")) {
            (Some(after), _) => {
                let after = batch_key(after).unwrap_or(0);
                newest_first
                    .filter(|(key, _)| **key < after)
                    .map(|(_, b)| b)
                    .take(limit + 1)
                    .collect()
            }
            (None, Some(before)) => {
                let before = batch_key(before).unwrap_or(u64::MAX);
                let newer: Vec<&Batch> = newest_first
                    .filter(|(key, _)| **key > before)
                    .map(|(_, b)| b)
                    .collect();
                let skip = newer.len().saturating_sub(limit + 1);
                newer.into_iter().skip(skip).collect()
            }
            (None, None) => newest_first.map(|(_, b)| b).take(limit + 1).collect(),
        };
        let has_more = selected.len() > limit;
        let page: Vec<Value> = selected
            .iter()
            .take(limit)
            .map(|b| b.to_json(now, base_url))
            .collect();
        Ok(json!({
            "data": page,
            "has_more": has_more,
            "first_id": page.first().map(|b| b["id"].clone()),
            "last_id": page.last().map(|b| b["id"].clone()),
        }))
    }
}

impl MockServer {
    /// How long a new batch stays `in_progress` (default 50 ms); requests are processed
    /// evenly over it, so a cancel part-way cancels the rest.
    pub fn set_batch_processing_time(&self, time: Duration) {
        self.shared.batches.lock().processing_time = time;
    }

    /// How long a canceled batch stays `canceling` (default 10 ms).
    pub fn set_batch_cancel_time(&self, time: Duration) {
        self.shared.batches.lock().cancel_time = time;
    }

    /// The chunk size of results bodies (default 4096 bytes, so lines straddle chunks).
    pub fn set_batch_results_chunk_size(&self, bytes: usize) {
        self.shared.batches.lock().chunk_size = bytes.max(1);
    }

    /// Scripts the outcome of every future batch request with this `custom_id`.
    pub fn batch_outcome(
        &self,
        custom_id: impl Into<String>,
        outcome: impl Into<MockBatchOutcome>,
    ) {
        self.shared
            .batches
            .lock()
            .scripted
            .insert(custom_id.into(), outcome.into());
    }

    /// Ends every batch still in progress, now.
    pub fn end_batches(&self) {
        let now = (Instant::now(), SystemTime::now());
        let mut state = self.shared.batches.lock();
        for batch in state.batches.values_mut() {
            if batch.ended_at(now.0).is_none() && batch.canceled.is_none() {
                batch.ended_early = Some(now);
            }
        }
    }
}

/// The API's `custom_id` pattern, `^[a-zA-Z0-9_-]{1,64}$` (from its error message).
fn is_valid_custom_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
