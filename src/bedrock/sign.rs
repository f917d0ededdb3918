//! SigV4 request signing, by `aws-sigv4` with the settings AWS's own SDKs use for Bedrock
//! (not S3): double-encoded canonical path, normalized, payload hash signed but not sent.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{self, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::AwsCredentials;
use crate::error::{ConfigReason, Error};

/// Adds `authorization`, `x-amz-date` (and `x-amz-security-token`) to `headers`, signing the
/// method, URL, every header in `headers` and the body at `time`, for service `bedrock`.
pub(crate) fn sign(
    method: &str,
    url: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    credentials: &AwsCredentials,
    region: &str,
    time: SystemTime,
) -> Result<(), Error> {
    let identity = Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.expose().to_owned(),
        credentials
            .session_token
            .as_ref()
            .map(|token| token.expose().to_owned()),
        None,
        "chat-anthropic",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("bedrock")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|err| {
            Error::config(
                ConfigReason::Encoding,
                format!("cannot sign the request: {err}"),
            )
        })?
        .into();
    let signed_headers: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let request = SignableRequest::new(
        method,
        url,
        signed_headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|err| {
        Error::config(
            ConfigReason::Encoding,
            format!("cannot sign the request: {err}"),
        )
    })?;
    let (instructions, _signature) = http_request::sign(request, &params)
        .map_err(|err| {
            Error::config(
                ConfigReason::Encoding,
                format!("cannot sign the request: {err}"),
            )
        })?
        .into_parts();
    let (added, _query) = instructions.into_parts();
    for header in added {
        let name = HeaderName::from_static(header.name());
        let mut value = HeaderValue::from_str(header.value()).map_err(|_| {
            Error::config(
                ConfigReason::Encoding,
                "a signature header has invalid characters",
            )
        })?;
        value.set_sensitive(header.sensitive() || name == reqwest::header::AUTHORIZATION);
        headers.insert(name, value);
    }
    Ok(())
}

/// The time an `x-amz-date` value (`20261125T101500Z`) names.
#[cfg(test)]
pub(crate) fn canonical_time(x_amz_date: &str) -> Option<SystemTime> {
    let digits = |range: std::ops::Range<usize>| x_amz_date.get(range)?.parse::<i64>().ok();
    if x_amz_date.len() != 16 || &x_amz_date[8..9] != "T" || !x_amz_date.ends_with('Z') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(seconds).ok()?))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn fixed_time() -> SystemTime {
        canonical_time("20261125T101500Z").unwrap()
    }

    fn signed(credentials: &AwsCredentials) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert(
            "accept",
            HeaderValue::from_static("application/vnd.amazon.eventstream"),
        );
        sign(
            "POST",
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream",
            &mut headers,
            br#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}"#,
            credentials,
            "us-east-1",
            fixed_time(),
        )
        .unwrap();
        headers
    }

    #[test]
    fn x_amz_dates_parse() {
        assert_eq!(
            canonical_time("20261125T101500Z").unwrap(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_601_700)
        );
        assert_eq!(
            canonical_time("19700101T000000Z"),
            Some(SystemTime::UNIX_EPOCH)
        );
        assert!(canonical_time("2026-11-25T10:15:00Z").is_none());
    }

    #[test]
    fn the_signature_is_pinned_for_fixed_inputs() {
        let headers = signed(&AwsCredentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ));
        assert_eq!(headers["x-amz-date"], "20261125T101500Z");
        let auth = headers["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature="),
            "{auth}"
        );
        // Pinned: any change to what is signed or how changes this.
        assert_eq!(&auth[auth.len() - 64..], PINNED_SIGNATURE, "{auth}");
        assert!(headers["authorization"].is_sensitive());
    }

    #[test]
    fn a_session_token_is_sent_and_signed() {
        let headers = signed(&AwsCredentials::new("AKID", "secret").session_token("IQoJtoken"));
        assert_eq!(headers["x-amz-security-token"], "IQoJtoken");
        assert!(headers["authorization"]
            .to_str()
            .unwrap()
            .contains("x-amz-security-token"));
    }

    /// Checked against an independent SigV4 computation from the spec (canonical request with
    /// the path `%`-encoded once more, as AWS's SDKs do for every service but S3; sorted
    /// lower-case headers; hex SHA-256 of the body; HMAC chain date → region → service →
    /// `aws4_request`), not only against this crate's own output.
    const PINNED_SIGNATURE: &str =
        "0452b94fff601007e94d07ae8d52dee0731f4a3daf02bdaf8a2e9b3d74d7292f";
}
