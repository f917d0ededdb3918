//! The API's error types (`error.type` in an error body or an `error` event).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `type` of an API error.
///
/// ```
/// use chat_anthropic::error::ApiErrorKind;
/// assert_eq!(ApiErrorKind::from("overloaded_error"), ApiErrorKind::Overloaded);
/// assert_eq!(ApiErrorKind::Overloaded.status(), Some(529));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400: the request is malformed.
    InvalidRequest,
    /// 401: missing or bad API key.
    Authentication,
    /// 402: a billing problem.
    Billing,
    /// 403: the key may not use this resource.
    Permission,
    /// 404: no such resource (or model).
    NotFound,
    /// 413: the request is too large.
    RequestTooLarge,
    /// 429: rate limited.
    RateLimit,
    /// 500: an error inside the API.
    Api,
    /// 504: the API timed out.
    Timeout,
    /// 529: the API is overloaded.
    Overloaded,
    /// A type this version does not know, kept verbatim.
    Unknown(String),
}

impl ApiErrorKind {
    /// The wire name, e.g. `"rate_limit_error"`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request_error",
            Self::Authentication => "authentication_error",
            Self::Billing => "billing_error",
            Self::Permission => "permission_error",
            Self::NotFound => "not_found_error",
            Self::RequestTooLarge => "request_too_large",
            Self::RateLimit => "rate_limit_error",
            Self::Api => "api_error",
            Self::Timeout => "timeout_error",
            Self::Overloaded => "overloaded_error",
            Self::Unknown(raw) => raw,
        }
    }

    /// The HTTP status the API uses for this type.
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            Self::InvalidRequest => 400,
            Self::Authentication => 401,
            Self::Billing => 402,
            Self::Permission => 403,
            Self::NotFound => 404,
            Self::RequestTooLarge => 413,
            Self::RateLimit => 429,
            Self::Api => 500,
            Self::Timeout => 504,
            Self::Overloaded => 529,
            Self::Unknown(_) => return None,
        })
    }

    /// The type the API uses for an HTTP status, for error bodies that lack one.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::InvalidRequest,
            401 => Self::Authentication,
            402 => Self::Billing,
            403 => Self::Permission,
            404 => Self::NotFound,
            413 => Self::RequestTooLarge,
            429 => Self::RateLimit,
            504 => Self::Timeout,
            529 => Self::Overloaded,
            _ => Self::Api,
        }
    }
}

impl From<&str> for ApiErrorKind {
    fn from(raw: &str) -> Self {
        match raw {
            "invalid_request_error" => Self::InvalidRequest,
            "authentication_error" => Self::Authentication,
            "billing_error" => Self::Billing,
            "permission_error" => Self::Permission,
            "not_found_error" => Self::NotFound,
            "request_too_large" => Self::RequestTooLarge,
            "rate_limit_error" => Self::RateLimit,
            "api_error" => Self::Api,
            "timeout_error" => Self::Timeout,
            "overloaded_error" => Self::Overloaded,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ApiErrorKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ApiErrorKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from(raw.as_ref()))
    }
}
