//! `tool_choice`: whether and which tool the model must call.

use serde::{Deserialize, Serialize};

/// How the model may use the bound tools.
///
/// Strings convert the way LangChain's `tool_choice` argument does: `"auto"`, `"any"`,
/// `"none"`, or a tool's name.
///
/// ```
/// use chat_anthropic::tools::ToolChoice;
/// let forced = ToolChoice::from("GetWeather").disable_parallel_tool_use();
/// assert_eq!(
///     serde_json::to_value(&forced).unwrap(),
///     serde_json::json!({"type": "tool", "name": "GetWeather", "disable_parallel_tool_use": true})
/// );
/// assert_eq!(serde_json::to_value(ToolChoice::auto()).unwrap(), serde_json::json!({"type": "auto"}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ToolChoice {
    /// The model decides (the API's default when tools are given).
    Auto {
        /// At most one tool call per turn.
        #[serde(default, skip_serializing_if = "is_false")]
        disable_parallel_tool_use: bool,
    },
    /// The model must call one of the tools.
    Any {
        /// Exactly one tool call.
        #[serde(default, skip_serializing_if = "is_false")]
        disable_parallel_tool_use: bool,
    },
    /// The model must call this tool.
    Tool {
        /// The tool's name.
        name: String,
        /// Exactly one tool call.
        #[serde(default, skip_serializing_if = "is_false")]
        disable_parallel_tool_use: bool,
    },
    /// The model must not call tools.
    None,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl ToolChoice {
    /// The model decides.
    pub fn auto() -> Self {
        Self::Auto {
            disable_parallel_tool_use: false,
        }
    }

    /// Some tool must be called.
    pub fn any() -> Self {
        Self::Any {
            disable_parallel_tool_use: false,
        }
    }

    /// The tool `name` must be called.
    pub fn tool(name: impl Into<String>) -> Self {
        Self::Tool {
            name: name.into(),
            disable_parallel_tool_use: false,
        }
    }

    /// No tool may be called.
    pub fn none() -> Self {
        Self::None
    }

    /// At most one tool call per turn (LangChain's `parallel_tool_calls=False`). No effect on
    /// [`ToolChoice::None`].
    pub fn disable_parallel_tool_use(mut self) -> Self {
        match &mut self {
            Self::Auto {
                disable_parallel_tool_use,
            }
            | Self::Any {
                disable_parallel_tool_use,
            }
            | Self::Tool {
                disable_parallel_tool_use,
                ..
            } => *disable_parallel_tool_use = true,
            Self::None => {}
        }
        self
    }

    /// Whether this choice makes the model call a tool (the API refuses that together with
    /// extended thinking).
    pub fn forces_tool_use(&self) -> bool {
        matches!(self, Self::Any { .. } | Self::Tool { .. })
    }
}

impl From<&str> for ToolChoice {
    fn from(choice: &str) -> Self {
        match choice {
            "auto" => Self::auto(),
            "any" => Self::any(),
            "none" => Self::none(),
            name => Self::tool(name),
        }
    }
}

impl From<String> for ToolChoice {
    fn from(choice: String) -> Self {
        Self::from(choice.as_str())
    }
}
