//! What the server received: every request in order, kept so tests can look at what was
//! sent; bounded on request (a long-running server keeps the latest only) and clearable.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde_json::Value;

/// A request as the server received it (serialized as `GET /mock/requests` lists it:
/// `{"method", "path", "headers", "body"}`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordedRequest {
    /// `POST`, …
    pub method: String,
    /// The URL path, e.g. `/v1/messages`.
    pub path: String,
    /// Headers by lower-case name.
    pub headers: BTreeMap<String, String>,
    /// The JSON body (a string holding the raw text when it is not JSON).
    pub body: Value,
}

/// The latest requests, at most `limit` of them (all of them without a limit).
#[derive(Debug, Default)]
pub(super) struct RequestLog {
    entries: Mutex<VecDeque<RecordedRequest>>,
    limit: Option<usize>,
}

impl RequestLog {
    pub(super) fn new(limit: Option<usize>) -> Self {
        Self {
            entries: Mutex::default(),
            limit,
        }
    }

    pub(super) fn push(&self, request: RecordedRequest) {
        let mut entries = self.entries.lock().expect("not poisoned");
        if self.limit == Some(0) {
            return;
        }
        if self.limit.is_some_and(|limit| entries.len() >= limit) {
            entries.pop_front();
        }
        entries.push_back(request);
    }

    pub(super) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries
            .lock()
            .expect("not poisoned")
            .iter()
            .cloned()
            .collect()
    }

    pub(super) fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub(super) fn clear(&self) {
        self.entries.lock().expect("not poisoned").clear();
    }
}

#[cfg(test)]
impl RecordedRequest {
    /// A `POST /v1/messages` with this body, for unit tests of responders.
    pub(crate) fn messages_post(body: Value) -> Self {
        Self {
            method: "POST".into(),
            path: "/v1/messages".into(),
            headers: BTreeMap::new(),
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: path.into(),
            headers: BTreeMap::new(),
            body: Value::Null,
        }
    }

    #[test]
    fn a_bounded_log_keeps_the_latest_requests() {
        let log = RequestLog::new(Some(2));
        for path in ["/a", "/b", "/c"] {
            log.push(request(path));
        }
        let paths: Vec<String> = log.snapshot().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/b", "/c"]);
        log.clear();
        assert_eq!(log.len(), 0);
    }

    #[test]
    fn a_zero_limit_keeps_nothing_and_no_limit_keeps_everything() {
        let off = RequestLog::new(Some(0));
        let all = RequestLog::new(None);
        for _ in 0..100 {
            off.push(request("/x"));
            all.push(request("/x"));
        }
        assert_eq!((off.len(), all.len()), (0, 100));
    }
}
