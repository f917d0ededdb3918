//! AWS credentials for SigV4, from code or the standard environment variables.

use crate::error::Error;
use crate::settings::ApiKey;

/// An access key pair (and session token, for temporary credentials). The secret parts never
/// reach `Debug`.
///
/// ```
/// use chat_anthropic::bedrock::AwsCredentials;
/// let creds = AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG").session_token("IQoJb3JpZ2lu");
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("AKIDEXAMPLE") && !shown.contains("wJalr") && !shown.contains("IQoJ"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: ApiKey,
    pub(crate) session_token: Option<ApiKey>,
}

impl AwsCredentials {
    /// Long-term credentials.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: ApiKey::new(secret_access_key),
            session_token: None,
        }
    }

    /// Adds the session token of temporary credentials (sent as `x-amz-security-token`).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(ApiKey::new(token));
        self
    }

    /// The access key id (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, if set, `AWS_SESSION_TOKEN`.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
    }

    /// The same from any lookup (for tests and custom sources).
    pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let missing = |name: &str| {
            Error::config(crate::error::ConfigReason::MissingCredentials, format!(
                "no AWS credentials: set {name} (with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) or call ChatAnthropic::aws_credentials"
            ))
        };
        let id = get("AWS_ACCESS_KEY_ID").ok_or_else(|| missing("AWS_ACCESS_KEY_ID"))?;
        let secret =
            get("AWS_SECRET_ACCESS_KEY").ok_or_else(|| missing("AWS_SECRET_ACCESS_KEY"))?;
        let creds = Self::new(id, secret);
        Ok(match get("AWS_SESSION_TOKEN") {
            Some(token) => creds.session_token(token),
            None => creds,
        })
    }
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_the_standard_variables() {
        let vars = |with_token: bool| {
            move |name: &str| match name {
                "AWS_ACCESS_KEY_ID" => Some("AKID".to_owned()),
                "AWS_SECRET_ACCESS_KEY" => Some("secret".to_owned()),
                "AWS_SESSION_TOKEN" if with_token => Some("token".to_owned()),
                _ => None,
            }
        };
        let creds = AwsCredentials::from_lookup(vars(true)).unwrap();
        assert_eq!(
            creds,
            AwsCredentials::new("AKID", "secret").session_token("token")
        );
        assert!(AwsCredentials::from_lookup(vars(false))
            .unwrap()
            .session_token
            .is_none());
        let err =
            AwsCredentials::from_lookup(|name| (name == "AWS_ACCESS_KEY_ID").then(|| "A".into()))
                .unwrap_err();
        assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    }
}
