//! URLs with their secrets removed, for error text, logs and `Debug`.

use reqwest::Url;

/// What stands in for a removed secret.
pub(crate) const REDACTED: &str = "REDACTED";

/// `url` without user-info, query or fragment (they may hold keys), for errors and logs.
pub(crate) fn url_for_errors(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut url) => {
            strip(&mut url);
            url.into()
        }
        Err(_) => "(an unparseable URL)".to_owned(),
    }
}

/// Strips user-info, query and fragment in place.
pub(crate) fn strip(url: &mut Url) {
    // Both fail only for URLs that cannot have user-info (e.g. `data:`), which then have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
}

/// `url` with its password and query values (if any) replaced by [`REDACTED`], for `Debug`
/// and stored settings; everything else is kept so the setting still reads as given.
pub(crate) fn url_without_password(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_owned();
    };
    if parsed.password().is_none() && parsed.query().is_none() {
        return url.to_owned();
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(REDACTED));
    }
    if parsed.query().is_some() {
        let names: Vec<String> = parsed
            .query_pairs()
            .map(|(name, _)| name.into_owned())
            .collect();
        parsed
            .query_pairs_mut()
            .clear()
            .extend_pairs(names.iter().map(|name| (name.as_str(), REDACTED)));
    }
    parsed.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_lose_user_info_query_and_fragment() {
        assert_eq!(
            url_for_errors("https://user:pw@proxy.example/v1/messages?key=sk-1#x"),
            "https://proxy.example/v1/messages"
        );
        assert_eq!(url_for_errors("not a url"), "(an unparseable URL)");
    }

    #[test]
    fn settings_lose_only_the_password() {
        assert_eq!(
            url_without_password("https://user:pw@proxy.example/base"),
            "https://user:REDACTED@proxy.example/base"
        );
        assert_eq!(
            url_without_password("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            url_without_password("https://proxy.example/?key=sk-1"),
            "https://proxy.example/?key=REDACTED"
        );
    }
}
