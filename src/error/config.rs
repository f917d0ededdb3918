//! A client that cannot send: a missing or invalid setting, input the API would refuse.

use std::fmt;

/// Why a request could not be made, for a caller to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigReason {
    /// No API key, access token or AWS credentials in code or the environment.
    MissingCredentials,
    /// A required setting (region, project, model) is not set.
    MissingSetting,
    /// A setting has a value that cannot be sent or that the model refuses (a header with
    /// invalid characters, a malformed base URL, `temperature` on a model without it, …).
    InvalidSetting,
    /// The conversation or prompt arguments cannot be sent (no messages, an unknown role).
    InvalidInput,
    /// Not available on this platform or in this build (e.g. token counting on Bedrock).
    Unsupported,
    /// A recording's timing file is missing or malformed.
    InvalidRecording,
    /// The request could not be serialized or signed.
    Encoding,
}

/// A configuration error: a typed [`ConfigReason`] and a sentence saying what to change.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::error::ConfigReason;
/// use chat_anthropic::{ChatAnthropic, Error};
/// let llm = ChatAnthropic::new("claude-sonnet-4-6").api_key("k").default_header("x-bad", "a\nb");
/// let err = llm.invoke("Hi").await.unwrap_err();
/// assert_eq!(err.config_reason(), Some(ConfigReason::InvalidSetting));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    reason: ConfigReason,
    message: String,
}

impl ConfigError {
    /// An error of `reason`, explained by `message`.
    pub fn new(reason: ConfigReason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }

    /// Why.
    pub fn reason(&self) -> ConfigReason {
        self.reason
    }

    /// What to change.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}
