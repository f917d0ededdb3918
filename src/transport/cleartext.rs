//! A warning, once per host, when the key would cross the network in clear.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};

use reqwest::Url;

/// Warns (tracing, once per host and process) when `url` is `http://` to a host that is not
/// loopback: the API key and the conversation travel unencrypted. Returns whether it warned.
pub(crate) fn warn_if_cleartext(url: &str) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    if url.scheme() != "http" {
        return false;
    }
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match ip.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host == "localhost" || host.ends_with(".localhost"),
    };
    if loopback {
        return false;
    }
    static WARNED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let first = WARNED
        .get_or_init(Default::default)
        .lock()
        .map(|mut warned| warned.insert(host.clone()))
        .unwrap_or(false);
    if first {
        tracing::warn!(
            host = %host,
            "sending the API key and the conversation unencrypted over http:// to a host that is not loopback; use https://"
        );
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_once_per_remote_http_host_and_never_for_loopback_or_https() {
        assert!(warn_if_cleartext(
            "http://cleartext-test.example:8080/v1/messages"
        ));
        assert!(
            !warn_if_cleartext("http://cleartext-test.example:8080/v1/messages"),
            "once"
        );
        assert!(warn_if_cleartext("http://10.1.2.3/v1/messages"));
        for quiet in [
            "https://api.anthropic.com/v1/messages",
            "http://127.0.0.1:9000/v1/messages",
            "http://localhost:9000/v1/messages",
            "http://[::1]:9000/v1/messages",
        ] {
            assert!(!warn_if_cleartext(quiet), "{quiet}");
        }
    }
}
