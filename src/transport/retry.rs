//! When to retry, and how long to wait.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// The longest the client sleeps on a server's request; a longer `retry-after` is reported
/// to the caller as sent, but the sleep is capped here.
const MAX_SERVER_DELAY: Duration = Duration::from_secs(60);
const INITIAL_DELAY: Duration = Duration::from_millis(500);
const MAX_DELAY: Duration = Duration::from_secs(8);

/// The server's `x-should-retry` verdict, which overrides the status.
pub(crate) fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// Whether a response status is worth retrying. `x-should-retry` from the API overrides.
#[cfg(test)]
fn should_retry(status: u16, headers: &HeaderMap) -> bool {
    should_retry_header(headers).unwrap_or(matches!(status, 408 | 409 | 429 | 500..=599))
}

/// How long to sleep before retry number `retry` (0-based): the server's wait capped at
/// 60 s, else jittered back-off.
pub(crate) fn delay(server: Option<Duration>, retry: u32) -> Duration {
    match server {
        Some(server) => server.min(MAX_SERVER_DELAY),
        None => backoff(retry),
    }
}

/// The wait the server asked for, as it asked: `retry-after-ms`, else `retry-after`
/// (seconds or an HTTP date); `None` when absent, zero or past.
pub(crate) fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let delay =
        if let Some(ms) = header("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
            Duration::try_from_secs_f64(ms / 1000.0).ok()
        } else if let Some(raw) = header("retry-after") {
            match raw.trim().parse::<f64>() {
                Ok(secs) => Duration::try_from_secs_f64(secs).ok(),
                Err(_) => httpdate::parse_http_date(raw)
                    .ok()
                    .and_then(|at| at.duration_since(crate::clock::system_now()).ok()),
            }
        } else {
            None
        };
    delay.filter(|d| !d.is_zero())
}

/// Exponential back-off with jitter for retry number `retry` (0-based): 0.5 s doubling up to
/// 8 s, each reduced by up to 25 % at random so that clients spread out.
fn backoff(retry: u32) -> Duration {
    let base = INITIAL_DELAY
        .saturating_mul(2u32.saturating_pow(retry))
        .min(MAX_DELAY);
    base.mul_f64(1.0 - 0.25 * crate::clock::random_unit())
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::SystemTime;

    use crate::transport::test_headers as headers;

    #[test]
    fn retryable_statuses_and_the_should_retry_override() {
        let none = HeaderMap::new();
        for status in [408, 409, 429, 500, 502, 529] {
            assert!(should_retry(status, &none), "{status}");
        }
        for status in [400, 401, 403, 404, 413] {
            assert!(!should_retry(status, &none), "{status}");
        }
        assert!(should_retry(400, &headers(&[("x-should-retry", "true")])));
        assert!(!should_retry(529, &headers(&[("x-should-retry", "false")])));
    }

    #[test]
    fn server_delays_are_read_in_order_and_bounded() {
        let delay = |pairs| server_delay(&headers(pairs));
        assert_eq!(
            delay(&[("retry-after-ms", "250")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            delay(&[("retry-after-ms", "100"), ("retry-after", "5")]),
            Some(Duration::from_millis(100))
        );
        assert_eq!(delay(&[("retry-after", "2")]), Some(Duration::from_secs(2)));
        assert_eq!(delay(&[("retry-after", "0")]), None);
        assert_eq!(
            delay(&[("retry-after", "3600")]),
            Some(Duration::from_secs(3600)),
            "reported as sent"
        );
        let soon = SystemTime::now() + Duration::from_secs(30);
        let date = httpdate::fmt_http_date(soon);
        let got = server_delay(&headers(&[("retry-after", &date)])).unwrap();
        assert!(
            got > Duration::from_secs(25) && got <= Duration::from_secs(30),
            "{got:?}"
        );
    }

    #[test]
    fn a_long_server_wait_is_slept_for_at_most_60_s() {
        assert_eq!(
            delay(Some(Duration::from_secs(3600)), 0),
            Duration::from_secs(60)
        );
        assert_eq!(
            delay(Some(Duration::from_secs(2)), 5),
            Duration::from_secs(2)
        );
        assert!(delay(None, 0) <= Duration::from_millis(500));
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_a_cap() {
        for retry in 0..10 {
            let d = backoff(retry);
            let base = (0.5 * 2f64.powi(retry as i32)).min(8.0);
            assert!(
                d.as_secs_f64() <= base && d.as_secs_f64() >= base * 0.75,
                "{retry}: {d:?}"
            );
        }
    }
}
