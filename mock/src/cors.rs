//! Requests from web pages (CORS), answered as Anthropic's API answers them.
//!
//! A page on another origin reaches the API only with the opt-in header
//! `anthropic-dangerous-direct-browser-access: true` (the official TypeScript SDK's
//! `dangerouslyAllowBrowser`). What the API is seen to do:
//! - a request with an `Origin` and without the header is refused: 401 `authentication_error`,
//!   "CORS requests must set 'anthropic-dangerous-direct-browser-access' header", with no
//!   `Access-Control-Allow-Origin` (so the page sees a network error, not the body);
//! - with the header, replies carry `Access-Control-Allow-Origin: *` and
//!   `Access-Control-Expose-Headers: *` (a page reads `request-id`, the rate limits, …).
//!
//! The preflight (`OPTIONS` with `Access-Control-Request-Method`) cannot carry the header
//! itself (a browser sends only the names of the headers to come), so it is allowed for any
//! of the API's endpoints: 204 with the methods of that path and the headers asked for; the
//! request that follows is the one checked. The admin endpoints (`/mock/…`) are the mock's
//! own and allow any page, so a test in a browser can script replies and read requests. Vertex
//! AI's and Bedrock's paths are other services and answer no CORS.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

use super::validate::Refusal;

/// The opt-in header.
pub(super) const DIRECT_BROWSER_ACCESS: &str = "anthropic-dangerous-direct-browser-access";

/// How long a browser may keep a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// Whose rules a path follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Anthropic's own API: pages need the opt-in header.
    Api,
    /// The mock's admin endpoints: any page.
    Admin,
    /// Vertex AI, Bedrock: no CORS.
    Other,
}

fn side(path: &str) -> Side {
    if path.starts_with(super::admin::PREFIX) {
        Side::Admin
    } else if path.starts_with("/v1/") && !path.starts_with("/v1/projects/") {
        Side::Api
    } else {
        Side::Other
    }
}

fn opted_in(headers: &HeaderMap) -> bool {
    headers
        .get(DIRECT_BROWSER_ACCESS)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The answer to a preflight, when this is one (`OPTIONS` with an `Origin` and
/// `Access-Control-Request-Method`) for a path that allows pages.
pub(super) fn preflight(method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
    if method != Method::OPTIONS
        || !headers.contains_key("origin")
        || !headers.contains_key("access-control-request-method")
    {
        return None;
    }
    if side(path) == Side::Other {
        return None;
    }
    let methods: Vec<&str> = super::routes::ENDPOINTS
        .iter()
        .filter(|row| {
            ["GET", "POST", "DELETE"]
                .iter()
                .any(|m| row.matches(m, path))
        })
        .map(|row| row.method())
        .collect();
    if methods.is_empty() {
        return None;
    }
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let out = response.headers_mut();
    out.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
        out.insert("access-control-allow-methods", value);
    }
    if let Some(asked) = headers.get("access-control-request-headers") {
        out.insert("access-control-allow-headers", asked.clone());
    }
    out.insert(
        "access-control-max-age",
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    Some(response)
}

/// The API's refusal of a page's request without the opt-in header.
pub(super) fn refusal(path: &str, headers: &HeaderMap) -> Option<Refusal> {
    if side(path) != Side::Api || !headers.contains_key("origin") || opted_in(headers) {
        return None;
    }
    Some(Refusal {
        status: 401,
        kind: "authentication_error".into(),
        message: format!("CORS requests must set '{DIRECT_BROWSER_ACCESS}' header"),
    })
}

/// Whether the page may read the reply: a page's request to an admin endpoint, or one to the
/// API with the opt-in header.
pub(super) fn page_may_read(path: &str, request: &HeaderMap) -> bool {
    request.contains_key("origin")
        && match side(path) {
            Side::Admin => true,
            Side::Api => opted_in(request),
            Side::Other => false,
        }
}

/// The headers that let a page read a reply (see [`page_may_read`]).
pub(super) fn let_the_page_read(response: &mut HeaderMap) {
    response.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    response.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("*"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_a_pages_request_without_the_header_to_the_api_is_refused() {
        let page = headers(&[("origin", "http://127.0.0.1:9000")]);
        assert_eq!(refusal("/v1/messages", &page).unwrap().status, 401);
        assert!(refusal("/v1/models", &page).is_some());
        assert!(refusal("/mock/requests", &page).is_none(), "admin");
        assert!(refusal("/model/m/invoke", &page).is_none(), "Bedrock");
        let opted = headers(&[
            ("origin", "http://127.0.0.1:9000"),
            (DIRECT_BROWSER_ACCESS, "true"),
        ]);
        assert!(refusal("/v1/messages", &opted).is_none());
        let server = headers(&[]);
        assert!(refusal("/v1/messages", &server).is_none(), "no Origin");
    }

    #[test]
    fn a_preflight_names_the_paths_methods_and_echoes_the_headers_asked_for() {
        let asked = headers(&[
            ("origin", "http://127.0.0.1:9000"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "x-api-key, anthropic-version",
            ),
        ]);
        let answer = preflight(&Method::OPTIONS, "/mock/replies", &asked).unwrap();
        assert_eq!(answer.status(), 204);
        assert_eq!(
            answer.headers()["access-control-allow-methods"],
            "POST, DELETE"
        );
        assert_eq!(
            answer.headers()["access-control-allow-headers"],
            "x-api-key, anthropic-version"
        );
        assert!(preflight(&Method::OPTIONS, "/v1/nothing", &asked).is_none());
        assert!(preflight(&Method::POST, "/v1/messages", &asked).is_none());
    }
}
