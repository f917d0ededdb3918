//! What a model accepts: its limits and capabilities, looked up by name, overridable.

use serde::{Deserialize, Serialize};

use super::fields::Effort;
use super::profile_table;
use super::Thinking;

/// A `thinking` mode, as a [`ModelProfile`] lists the ones a model accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ThinkingMode {
    /// `{type: "enabled", budget_tokens}`.
    Enabled,
    /// `{type: "adaptive"}`.
    Adaptive,
    /// `{type: "between_tools"}`.
    BetweenTools,
    /// `{type: "disabled"}`.
    Disabled,
}

impl ThinkingMode {
    /// Every mode.
    pub const ALL: [ThinkingMode; 4] = [
        Self::Enabled,
        Self::Adaptive,
        Self::BetweenTools,
        Self::Disabled,
    ];

    /// The mode of a `thinking` setting.
    pub fn of(thinking: &Thinking) -> Self {
        match thinking {
            Thinking::Enabled { .. } => Self::Enabled,
            Thinking::Adaptive { .. } => Self::Adaptive,
            Thinking::BetweenTools => Self::BetweenTools,
            Thinking::Disabled => Self::Disabled,
        }
    }

    /// The name the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Adaptive => "adaptive",
            Self::BetweenTools => "between_tools",
            Self::Disabled => "disabled",
        }
    }
}

/// What a model accepts and can do, as langchain-anthropic's model profiles describe it. The
/// checks made before sending (sampling parameters, effort levels, `max_tokens`, thinking
/// modes, forced `tool_choice`) and the default `max_tokens` read it; whether a mid-conversation
/// system message is sent in place does too.
///
/// [`for_model`](Self::for_model) looks a model up in the built-in table (dated ids, `-latest`
/// aliases, Vertex `@date` and Bedrock `anthropic.…-v1:0` ids resolved); a model the table
/// does not know has no profile, and nothing is checked for it (the API decides).
/// [`ChatAnthropic::profile`](crate::ChatAnthropic::profile) replaces the profile, e.g. for a
/// model newer than this crate.
///
/// ```
/// use chat_anthropic::settings::{Effort, ModelProfile};
/// let sonnet = ModelProfile::for_model("claude-sonnet-4-6").unwrap();
/// assert_eq!(sonnet.max_output_tokens, Some(128_000));
/// assert_eq!(sonnet.effort_levels, [Effort::Low, Effort::Medium, Effort::High, Effort::Max]);
/// assert_eq!(ModelProfile::for_model("claude-sonnet-4-5-20250929"), ModelProfile::for_model("claude-sonnet-4-5"));
/// assert_eq!(ModelProfile::for_model("anthropic.claude-sonnet-4-5-20250929-v1:0"), ModelProfile::for_model("claude-sonnet-4-5"));
/// assert!(ModelProfile::for_model("my-fine-tune").is_none());
///
/// // A profile of your own: start from the defaults (nothing refused) and say what you know.
/// let mut mine = ModelProfile::default();
/// mine.max_output_tokens = Some(8192);
/// assert!(mine.temperature);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ModelProfile {
    /// The context window, in tokens.
    pub max_input_tokens: Option<u32>,
    /// The most tokens one reply may have: `max_tokens` above it is refused, and it is the
    /// default `max_tokens`.
    pub max_output_tokens: Option<u32>,
    /// Whether images are accepted.
    pub image_inputs: bool,
    /// Whether PDF documents are accepted.
    pub pdf_inputs: bool,
    /// Whether the model can think (`thinking` blocks).
    pub reasoning_output: bool,
    /// Whether the model calls tools.
    pub tool_calling: bool,
    /// Whether a forced `tool_choice` (`any`, or a named tool) is accepted.
    pub tool_choice: bool,
    /// Whether forced-tool structured output suits the model (when false, prefer
    /// [`StructuredMethod::JsonSchema`](crate::structured::StructuredMethod::JsonSchema)).
    pub structured_output: bool,
    /// Whether `temperature`, `top_k` and `top_p` are accepted.
    pub temperature: bool,
    /// The `output_config.effort` levels offered (empty: no effort setting).
    pub effort_levels: Vec<Effort>,
    /// The level used when none is set.
    pub effort_default: Option<Effort>,
    /// The `thinking` modes accepted.
    pub thinking_modes: Vec<ThinkingMode>,
    /// Whether `role: "system"` turns are accepted inside `messages`.
    pub mid_conversation_system_messages: bool,
    /// Whether those system turns may change the tool set (`tool_addition` / `tool_removal`).
    pub mid_conversation_tools: bool,
}

impl Default for ModelProfile {
    /// A profile that refuses nothing and knows no limits.
    fn default() -> Self {
        Self {
            max_input_tokens: None,
            max_output_tokens: None,
            image_inputs: true,
            pdf_inputs: true,
            reasoning_output: true,
            tool_calling: true,
            tool_choice: true,
            structured_output: true,
            temperature: true,
            effort_levels: vec![
                Effort::Low,
                Effort::Medium,
                Effort::High,
                Effort::XHigh,
                Effort::Max,
            ],
            effort_default: None,
            thinking_modes: ThinkingMode::ALL.to_vec(),
            mid_conversation_system_messages: false,
            mid_conversation_tools: false,
        }
    }
}

impl ModelProfile {
    /// The built-in profile of `model`, if the table knows it.
    pub fn for_model(model: &str) -> Option<Self> {
        profile_table::lookup(model)
    }
}
