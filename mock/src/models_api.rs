//! `GET /v1/models` and `GET /v1/models/{id}`: a fixed catalogue, newest first.

use axum::http::{Method, Uri};
use serde_json::{json, Value};

use super::resources::{Answer, ListQuery};
use super::validate::Refusal;

/// (id, display name, release date, context window, max output tokens)
const CATALOGUE: &[(&str, &str, &str, u64, u64)] = &[
    (
        "claude-sonnet-4-6",
        "Claude Sonnet 4.6",
        "2026-02-17T00:00:00Z",
        1_000_000,
        64_000,
    ),
    (
        "claude-opus-4-5-20251101",
        "Claude Opus 4.5",
        "2025-11-24T00:00:00Z",
        200_000,
        64_000,
    ),
    (
        "claude-haiku-4-5-20251001",
        "Claude Haiku 4.5",
        "2025-10-15T00:00:00Z",
        200_000,
        64_000,
    ),
    (
        "claude-sonnet-4-5-20250929",
        "Claude Sonnet 4.5",
        "2025-09-29T00:00:00Z",
        1_000_000,
        64_000,
    ),
    (
        "claude-opus-4-1-20250805",
        "Claude Opus 4.1",
        "2025-08-05T00:00:00Z",
        200_000,
        32_000,
    ),
];

/// The answer to a Models request; `None` for a path the API does not have.
pub(super) fn answer(method: &Method, rest: &[&str], uri: &Uri) -> Option<Result<Answer, Refusal>> {
    if method != Method::GET {
        return None;
    }
    let result = match rest {
        [] | [""] => ListQuery::from_uri(uri)
            .and_then(|query| query.page(CATALOGUE, |model| model.0, model_json)),
        [id] => CATALOGUE
            .iter()
            .find(|model| model.0 == *id)
            .map(model_json)
            .ok_or_else(|| Refusal {
                status: 404,
                kind: "not_found_error".into(),
                message: format!("model: {id}"),
            }),
        _ => return None,
    };
    Some(result.map(Answer::Json))
}

fn model_json(
    &(id, display_name, created_at, max_input_tokens, max_tokens): &(&str, &str, &str, u64, u64),
) -> Value {
    json!({
        "type": "model",
        "id": id,
        "display_name": display_name,
        "created_at": created_at,
        "max_input_tokens": max_input_tokens,
        "max_tokens": max_tokens,
        "lifecycle": "active",
    })
}
