//! Extended thinking, as the request's `thinking` field.

use serde::{Deserialize, Serialize};

/// Extended thinking (`thinking` in the request).
///
/// ```
/// use chat_anthropic::settings::Thinking;
/// let on = Thinking::enabled(2048);
/// assert_eq!(serde_json::to_value(&on).unwrap(), serde_json::json!({"type": "enabled", "budget_tokens": 2048}));
/// assert_eq!(serde_json::to_value(Thinking::adaptive()).unwrap()["type"], "adaptive");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Thinking {
    /// Think with a token budget (≥ 1024 and below `max_tokens`).
    Enabled {
        /// Tokens the model may spend thinking.
        budget_tokens: u32,
        /// `"summarized"` or `"omitted"` (redacted, but signed for multi-turn continuity).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display: Option<String>,
    },
    /// The model decides how much to think.
    Adaptive {
        /// `"summarized"` or `"omitted"`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display: Option<String>,
    },
    /// Think only between tool calls.
    BetweenTools,
    /// No thinking.
    Disabled,
}

impl Thinking {
    /// `{type: "enabled", budget_tokens}`.
    pub fn enabled(budget_tokens: u32) -> Self {
        Self::Enabled {
            budget_tokens,
            display: None,
        }
    }

    /// `{type: "adaptive"}`.
    pub fn adaptive() -> Self {
        Self::Adaptive { display: None }
    }
}
