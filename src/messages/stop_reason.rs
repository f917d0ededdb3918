//! Why the model stopped generating.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `stop_reason` of a message.
///
/// Values the API adds later arrive as [`StopReason::Unknown`] with the raw string.
///
/// ```
/// use chat_anthropic::StopReason;
/// let reason: StopReason = serde_json::from_str("\"tool_use\"").unwrap();
/// assert_eq!(reason, StopReason::ToolUse);
/// assert_eq!(serde_json::to_string(&StopReason::from("brand_new")).unwrap(), "\"brand_new\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// The model reached a natural stopping point.
    EndTurn,
    /// `max_tokens` was reached.
    MaxTokens,
    /// One of `stop_sequences` was generated (see `stop_sequence`).
    StopSequence,
    /// The model called one or more tools.
    ToolUse,
    /// A long-running server-tool turn was paused; send the reply back to continue.
    PauseTurn,
    /// The model declined to answer.
    Refusal,
    /// The context window filled up.
    ModelContextWindowExceeded,
    /// A reason this version does not know, kept verbatim.
    Unknown(String),
}

impl StopReason {
    /// The wire name, e.g. `"end_turn"`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::EndTurn => "end_turn",
            Self::MaxTokens => "max_tokens",
            Self::StopSequence => "stop_sequence",
            Self::ToolUse => "tool_use",
            Self::PauseTurn => "pause_turn",
            Self::Refusal => "refusal",
            Self::ModelContextWindowExceeded => "model_context_window_exceeded",
            Self::Unknown(raw) => raw,
        }
    }
}

impl From<&str> for StopReason {
    fn from(raw: &str) -> Self {
        match raw {
            "end_turn" => Self::EndTurn,
            "max_tokens" => Self::MaxTokens,
            "stop_sequence" => Self::StopSequence,
            "tool_use" => Self::ToolUse,
            "pause_turn" => Self::PauseTurn,
            "refusal" => Self::Refusal,
            "model_context_window_exceeded" => Self::ModelContextWindowExceeded,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StopReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StopReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from(raw.as_ref()))
    }
}
