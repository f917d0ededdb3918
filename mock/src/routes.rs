//! The table of every endpoint the server serves. A request that matches no row is a 404
//! before anything else looks at it, so the table is the router's own list: what `--help`
//! prints and [`MockServer::endpoints`](super::MockServer::endpoints) returns cannot drift
//! from what is served.

use super::validate::Refusal;

/// One endpoint the mock serves: a method and a path pattern, where `{name}` stands for one
/// path segment (or the part of a segment before `:`).
///
/// ```
/// let endpoints = chat_anthropic_mock::MockServer::endpoints();
/// assert!(endpoints.iter().any(|e| e.method() == "POST" && e.path() == "/v1/messages"));
/// assert!(endpoints.iter().any(|e| e.path() == "/mock/replies"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MockEndpoint {
    method: &'static str,
    path: &'static str,
    description: &'static str,
}

impl MockEndpoint {
    /// `GET`, `POST` or `DELETE`.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The path pattern, e.g. `/v1/files/{file_id}/content`.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// What it does, in a few words.
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// Whether a request with this method and path is for this endpoint (a trailing `/` is
    /// ignored).
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let path = match path.strip_suffix('/') {
            Some(trimmed) if !trimmed.is_empty() => trimmed,
            _ => path,
        };
        let mut want = self.path.split('/');
        let mut have = path.split('/');
        loop {
            match (want.next(), have.next()) {
                (None, None) => return true,
                (Some(pattern), Some(segment)) if segment_matches(pattern, segment) => {}
                _ => return false,
            }
        }
    }
}

/// `{name}` matches any non-empty segment; `{name}:action` one that ends in `:action`.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    if !pattern.starts_with('{') {
        return pattern == segment;
    }
    match pattern.split_once("}:") {
        Some((_, action)) => segment
            .strip_suffix(action)
            .and_then(|head| head.strip_suffix(':'))
            .is_some_and(|head| !head.is_empty()),
        None => !segment.is_empty(),
    }
}

const fn row(method: &'static str, path: &'static str, description: &'static str) -> MockEndpoint {
    MockEndpoint {
        method,
        path,
        description,
    }
}

/// Every endpoint, in the order `--help` lists them.
pub(super) const ENDPOINTS: &[MockEndpoint] = &[
    row("POST", "/v1/messages", "Messages, streaming or not"),
    row("POST", "/v1/messages/count_tokens", "token counting"),
    row("POST", "/v1/messages/batches", "create a message batch"),
    row("GET", "/v1/messages/batches", "list batches"),
    row("GET", "/v1/messages/batches/{batch_id}", "retrieve a batch"),
    row("DELETE", "/v1/messages/batches/{batch_id}", "delete a batch"),
    row("POST", "/v1/messages/batches/{batch_id}/cancel", "cancel a batch"),
    row("GET", "/v1/messages/batches/{batch_id}/results", "a batch's JSONL results"),
    row("GET", "/v1/models", "list models"),
    row("GET", "/v1/models/{model_id}", "retrieve a model"),
    row("POST", "/v1/files", "upload a file (multipart)"),
    row("GET", "/v1/files", "list files"),
    row("GET", "/v1/files/{file_id}", "a file's metadata"),
    row("DELETE", "/v1/files/{file_id}", "delete a file"),
    row("GET", "/v1/files/{file_id}/content", "download a file"),
    row("POST", "/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:streamRawPredict", "Vertex AI: Messages, streaming"),
    row("POST", "/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict", "Vertex AI: Messages; count-tokens:rawPredict counts"),
    row("POST", "/model/{model}/invoke", "Amazon Bedrock: Messages"),
    row("POST", "/model/{model}/invoke-with-response-stream", "Amazon Bedrock: Messages, streaming"),
    row("POST", "/mock/replies", "admin: queue scripted replies (a JSON object, an array, or JSONL)"),
    row("DELETE", "/mock/replies", "admin: drop the queued replies"),
    row("GET", "/mock/requests", "admin: the requests received (admin requests aside)"),
    row("DELETE", "/mock/requests", "admin: forget the requests received"),
];

/// The API's 404 for a path it does not serve.
pub(super) fn not_found(path: &str) -> Refusal {
    Refusal {
        status: 404,
        kind: "not_found_error".into(),
        message: format!("Not found: {path}"),
    }
}

/// The row for this request, if any.
pub(super) fn find(method: &str, path: &str) -> Option<&'static MockEndpoint> {
    ENDPOINTS.iter().find(|row| row.matches(method, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments() {
        fn found(method: &str, path: &str) -> Option<&'static str> {
            find(method, path).map(MockEndpoint::path)
        }
        assert_eq!(found("POST", "/v1/messages"), Some("/v1/messages"));
        assert_eq!(found("GET", "/v1/messages"), None);
        assert_eq!(found("GET", "/v1/models/"), Some("/v1/models"));
        assert_eq!(
            found("GET", "/v1/files/f1/content"),
            Some("/v1/files/{file_id}/content")
        );
        assert_eq!(found("GET", "/v1/files/f1/other"), None);
        assert_eq!(found("GET", "/v1/files//content"), None);
        let vertex = "/v1/projects/p/locations/r/publishers/anthropic/models/m@1:streamRawPredict";
        assert!(found("POST", vertex).is_some());
        assert_eq!(
            found("POST", &vertex.replace(":streamRawPredict", ":rawPredict"))
                .map(|p| p.ends_with(":rawPredict")),
            Some(true)
        );
        assert_eq!(found("POST", &vertex.replace(":stream", ":other")), None);
        assert!(found("POST", "/model/a%3A0/invoke").is_some());
        assert_eq!(found("PUT", "/mock/replies"), None);
    }
}
