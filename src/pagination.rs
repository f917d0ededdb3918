//! Cursor pagination, as the Models and Files lists page: `limit`, `before_id`, `after_id`
//! in, `{data, has_more, first_id, last_id}` out.

use futures_core::Stream;
use futures_util::{stream, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::error::{Error, PlatformError, PlatformErrorKind};

/// Which page of a list to fetch.
///
/// ```
/// use chat_anthropic::pagination::ListParams;
/// let params = ListParams::new().limit(2).after_id("claude-opus-4-1");
/// assert_eq!(params.limit, Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListParams {
    /// Items per page (the API's default is 20, at most 1000).
    pub limit: Option<u32>,
    /// The page just before this item (walks backwards from there).
    pub before_id: Option<String>,
    /// The page just after this item.
    pub after_id: Option<String>,
    /// A `next_page` token from the page before (the newer cursor form).
    pub page: Option<String>,
}

impl ListParams {
    /// The first page, at the API's default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Items per page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The page before this item id.
    pub fn before_id(mut self, id: impl Into<String>) -> Self {
        self.before_id = Some(id.into());
        self
    }

    /// The page after this item id.
    pub fn after_id(mut self, id: impl Into<String>) -> Self {
        self.after_id = Some(id.into());
        self
    }

    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(limit) = self.limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(id) = &self.before_id {
            query.push(("before_id", id.clone()));
        }
        if let Some(id) = &self.after_id {
            query.push(("after_id", id.clone()));
        }
        if let Some(token) = &self.page {
            query.push(("page", token.clone()));
        }
        query
    }

    fn cursor(&self) -> Option<&String> {
        self.before_id
            .as_ref()
            .or(self.page.as_ref())
            .or(self.after_id.as_ref())
    }
}

/// One page of a list.
///
/// ```
/// use chat_anthropic::pagination::{ListParams, Page};
/// let page: Page<String> = serde_json::from_value(serde_json::json!({
///     "data": ["a", "b"], "has_more": true, "first_id": "a", "last_id": "b"
/// })).unwrap();
/// let next = page.next_params(&ListParams::new().limit(2)).unwrap();
/// assert_eq!(next.after_id.as_deref(), Some("b"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items, in the API's order.
    pub data: Vec<T>,
    /// Whether more items lie beyond this page (in the direction walked).
    #[serde(default)]
    pub has_more: bool,
    /// The first item's id, the cursor for the page before.
    #[serde(default)]
    pub first_id: Option<String>,
    /// The last item's id, the cursor for the page after.
    #[serde(default)]
    pub last_id: Option<String>,
    /// The token of the page after, where the endpoint pages by token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<String>,
}

impl<T> Page<T> {
    /// The parameters of the next page in the direction `current` walked (backwards when it
    /// set `before_id`; by `next_page` token when the page gave one), or `None` at the end.
    pub fn next_params(&self, current: &ListParams) -> Option<ListParams> {
        let mut next = current.clone();
        if current.before_id.is_some() {
            next.before_id = Some(self.first_id.clone().filter(|_| self.has_more)?);
        } else if let Some(token) = &self.next_page {
            next.after_id = None;
            next.page = Some(token.clone());
        } else {
            next.after_id = Some(self.last_id.clone().filter(|_| self.has_more)?);
        }
        Some(next)
    }
}

/// Every page from `first` on, fetched one at a time as the stream is polled. Ends after a
/// page without more, or after an error; a cursor that does not move is an error rather
/// than an endless loop.
pub(crate) fn pages<T, F, Fut>(
    first: ListParams,
    mut fetch: F,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send
where
    T: Send,
    F: FnMut(ListParams) -> Fut + Send,
    Fut: std::future::Future<Output = Result<Page<T>, Error>> + Send,
{
    stream::unfold(Some(first), move |params| {
        let fetched = params.map(|params| {
            let page = fetch(params.clone());
            (params, page)
        });
        async move {
            let (params, page) = fetched?;
            let page = match page.await {
                Ok(page) => page,
                Err(err) => return Some((Err(err), None)),
            };
            let next = page.next_params(&params);
            if next.is_some() && next.as_ref().and_then(ListParams::cursor) == params.cursor() {
                let stuck = PlatformError::new(
                    PlatformErrorKind::Pagination,
                    format!(
                        "the list answered the same cursor {:?} again",
                        params.cursor()
                    ),
                );
                return Some((Err(stuck.into()), None));
            }
            Some((Ok(page), next))
        }
    })
}

/// Every page from `first` on, fetched by `fetch(source, params)` with a clone of
/// `source` (a `Models` or `Files` handle), so the stream owns what it needs.
pub(crate) fn pages_of<S, T, F, Fut>(
    source: S,
    first: ListParams,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static
where
    S: Clone + Send + 'static,
    T: Send + 'static,
    F: Fn(S, ListParams) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    pages(first, move |params| fetch(source.clone(), params))
}

/// The items of every page, in order.
pub(crate) fn items<T: Send>(
    pages: impl Stream<Item = Result<Page<T>, Error>> + Send,
) -> impl Stream<Item = Result<T, Error>> + Send {
    pages
        .map_ok(|page| stream::iter(page.data.into_iter().map(Ok)))
        .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn page(ids: &[&str], has_more: bool) -> Page<String> {
        Page {
            data: ids.iter().map(|id| id.to_string()).collect(),
            has_more,
            first_id: ids.first().map(|id| id.to_string()),
            last_id: ids.last().map(|id| id.to_string()),
            next_page: None,
        }
    }

    #[test]
    fn next_params_walk_forwards_and_backwards() {
        let forward = page(&["a", "b"], true).next_params(&ListParams::new().limit(2));
        assert_eq!(forward, Some(ListParams::new().limit(2).after_id("b")));
        let backward = page(&["c", "d"], true).next_params(&ListParams::new().before_id("e"));
        assert_eq!(backward, Some(ListParams::new().before_id("c")));
        assert_eq!(page(&["a"], false).next_params(&ListParams::new()), None);
        assert_eq!(page(&[], true).next_params(&ListParams::new()), None);
        let by_token = Page {
            next_page: Some("tok".into()),
            ..page(&["x"], false)
        };
        let next = by_token
            .next_params(&ListParams::new().after_id("w"))
            .unwrap();
        assert_eq!((next.page.as_deref(), next.after_id), (Some("tok"), None));
    }

    #[tokio::test]
    async fn pages_follow_the_cursor_until_no_more() {
        let all = ["a", "b", "c", "d", "e"];
        let fetched = pages(ListParams::new().limit(2), |params| {
            let start = params
                .after_id
                .map_or(0, |id| all.iter().position(|x| *x == id).unwrap() + 1);
            let end = (start + 2).min(all.len());
            std::future::ready(Ok(page(&all[start..end], end < all.len())))
        });
        let got: Vec<String> = items(fetched).try_collect().await.unwrap();
        assert_eq!(got, all);
    }

    #[tokio::test]
    async fn a_cursor_that_does_not_move_is_an_error_not_a_loop() {
        let stuck = pages(ListParams::new().after_id("b"), |_| {
            std::future::ready(Ok(page(&["a", "b"], true)))
        });
        let results: Vec<_> = stuck.take(10).collect().await;
        assert_eq!(results.len(), 1);
        let Err(Error::Platform(err)) = &results[0] else {
            panic!("expected a pagination error, got {results:?}")
        };
        assert_eq!(err.kind(), PlatformErrorKind::Pagination);
    }
}
