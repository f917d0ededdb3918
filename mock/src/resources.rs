//! The endpoints beside Messages: `GET /v1/models[/{id}]` and the Files API, each answered
//! as the API does (headers checked, cursor pages, errors in the API's envelope).

use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::respond;
use super::route::Via;
use super::validate::{self, invalid, Refusal};
use super::Shared;

/// The answer when `uri` names a Models or Files endpoint, else `None`.
pub(super) async fn respond(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    raw: Bytes,
    request_id: &str,
) -> Option<Response> {
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let answer = match segments.as_slice() {
        ["v1", "models", rest @ ..] => {
            let answer = super::models_api::answer(method, rest, uri)?;
            checked(headers).and(answer)
        }
        ["v1", "files", rest @ ..] => match checked(headers) {
            Ok(()) => super::files::answer(shared, method, rest, uri, headers, raw).await?,
            Err(refusal) => Err(refusal),
        },
        _ => return None,
    };
    Some(match answer {
        Ok(Answer::Json(body)) => respond::ok(
            axum::body::Body::from(body.to_string()),
            "application/json",
            &[],
            request_id,
        ),
        Ok(Answer::Raw(response)) => response,
        Err(refusal) => respond::error(Via::Anthropic, &refusal, &[], request_id),
    })
}

/// A successful answer.
pub(super) enum Answer {
    Json(Value),
    Raw(Response),
}

/// The headers every endpoint needs. (The Files API left beta: its
/// `files-api-2025-04-14` header is accepted, no longer required.)
fn checked(headers: &HeaderMap) -> Result<(), Refusal> {
    validate::headers(|name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    })
}

/// `limit`, `before_id`, `after_id` from the query string.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    limit: Option<i64>,
    before_id: Option<String>,
    after_id: Option<String>,
    /// The newer cursor form: the `next_page` token of the page before (here, its last id).
    page: Option<String>,
}

impl ListQuery {
    pub(super) fn from_uri(uri: &Uri) -> Result<Self, Refusal> {
        axum::extract::Query::<Self>::try_from_uri(uri)
            .map(|query| query.0)
            .map_err(|e| invalid(format!("invalid query: {e}")))
    }

    /// One page of `items` (ids read by `id`), as the API pages: up to `limit` items after
    /// `after_id`, or just before `before_id`.
    pub(super) fn page<T>(
        &self,
        items: &[T],
        id: impl Fn(&T) -> &str,
        json: impl Fn(&T) -> Value,
    ) -> Result<Value, Refusal> {
        let limit = match self.limit {
            None => 20,
            Some(limit @ 1..=1000) => limit as usize,
            Some(_) => return Err(invalid("limit: Input should be between 1 and 1000")),
        };
        let position = |cursor: &str| {
            items
                .iter()
                .position(|item| id(item) == cursor)
                .ok_or_else(|| invalid(format!("no item with id {cursor:?}")))
        };
        let after_id = self.after_id.as_ref().or(self.page.as_ref());
        let (start, end, has_more) = match (&self.before_id, after_id) {
            (Some(_), Some(_)) => {
                return Err(invalid("before_id and after_id cannot be used together"))
            }
            (Some(before), None) => {
                let end = position(before)?;
                let start = end.saturating_sub(limit);
                (start, end, start > 0)
            }
            (None, after) => {
                let start = match after {
                    Some(after) => position(after)? + 1,
                    None => 0,
                };
                let end = (start + limit).min(items.len());
                (start, end, end < items.len())
            }
        };
        let page = &items[start..end];
        let walking_forwards = self.before_id.is_none();
        Ok(json!({
            "data": page.iter().map(&json).collect::<Vec<_>>(),
            "has_more": has_more,
            "first_id": page.first().map(&id),
            "last_id": page.last().map(&id),
            "next_page": if has_more && walking_forwards { page.last().map(&id) } else { None },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(limit: Option<i64>, before: Option<&str>, after: Option<&str>) -> ListQuery {
        ListQuery {
            limit,
            before_id: before.map(str::to_owned),
            after_id: after.map(str::to_owned),
            page: None,
        }
    }

    #[test]
    fn pages_walk_both_ways() {
        let items = ["a", "b", "c", "d", "e"];
        let page = |q: ListQuery| q.page(&items, |x| x, |x| json!(x)).unwrap();
        assert_eq!(
            page(query(Some(2), None, None)),
            json!({"data": ["a", "b"], "has_more": true, "first_id": "a", "last_id": "b", "next_page": "b"})
        );
        assert_eq!(page(query(Some(2), None, Some("d")))["data"], json!(["e"]));
        assert_eq!(page(query(Some(2), None, Some("d")))["has_more"], false);
        assert_eq!(
            page(query(Some(2), Some("d"), None)),
            json!({"data": ["b", "c"], "has_more": true, "first_id": "b", "last_id": "c", "next_page": null})
        );
        assert_eq!(page(query(None, Some("b"), None))["has_more"], false);
        let empty = page(query(None, None, Some("e")));
        assert_eq!(empty["first_id"], Value::Null);
        assert!(query(Some(0), None, None)
            .page(&items, |x| x, |x| json!(x))
            .is_err());
        assert!(query(None, None, Some("z"))
            .page(&items, |x| x, |x| json!(x))
            .is_err());
    }
}
