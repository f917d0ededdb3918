//! Requests the model or the API would refuse, caught before anything is sent.

/// Why a request was not sent: a setting, a message or a tool schema the API (or the model's
/// [`ModelProfile`](crate::settings::ModelProfile)) refuses, named so it can be fixed without a round
/// trip.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::error::RequestError;
/// use chat_anthropic::{ChatAnthropic, Error};
/// let llm = ChatAnthropic::new("claude-sonnet-5-5").temperature(0.0).api_key("unused");
/// let err = llm.invoke("Hi").await.unwrap_err();
/// assert!(matches!(
///     err,
///     Error::Request(RequestError::SamplingUnsupported { parameter: "temperature", .. })
/// ));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// No model name was given.
    #[error("no model set: ChatAnthropic::new(\"claude-…\")")]
    NoModel,
    /// The conversation has no turn to send.
    #[error("no messages to send: give at least one human message")]
    NoMessages,
    /// A sampling setting outside the range the API accepts.
    #[error("{setting} must be between 0 and 1, got {value}")]
    OutOfRange {
        /// `"temperature"` or `"top_p"`.
        setting: &'static str,
        /// The value given.
        value: f64,
    },
    /// `thinking.budget_tokens` below 1024 or not below `max_tokens`.
    #[error("thinking.budget_tokens must be at least 1024 and less than max_tokens ({max_tokens}), got {budget_tokens}")]
    ThinkingBudget {
        /// The budget given.
        budget_tokens: u32,
        /// The request's `max_tokens`.
        max_tokens: u32,
    },
    /// `temperature`, `top_k` or `top_p` on a model that takes none of them.
    #[error("{model} does not accept {parameter}; leave it unset")]
    SamplingUnsupported {
        /// The model.
        model: String,
        /// `"temperature"`, `"top_k"` or `"top_p"`.
        parameter: &'static str,
    },
    /// `max_tokens` above what the model can generate.
    #[error("max_tokens {max_tokens} is above {model}'s output limit of {limit}")]
    MaxTokensAboveLimit {
        /// The model.
        model: String,
        /// The `max_tokens` asked for.
        max_tokens: u32,
        /// The model's maximum output.
        limit: u32,
    },
    /// An `output_config.effort` level the model does not offer.
    #[error("{model} does not accept effort {effort:?}{}", levels(supported))]
    EffortUnsupported {
        /// The model.
        model: String,
        /// The level asked for.
        effort: String,
        /// The levels the model offers (empty: none).
        supported: Vec<String>,
    },
    /// A `thinking` mode the model does not accept.
    #[error("{model} does not accept thinking {mode:?}")]
    ThinkingUnsupported {
        /// The model.
        model: String,
        /// `"enabled"`, `"adaptive"`, `"between_tools"` or `"disabled"`.
        mode: String,
    },
    /// A forced `tool_choice` (`any` or a named tool) on a model that only takes `auto`/`none`.
    #[error("{model} does not accept a forced tool_choice ({choice:?}); use auto or none")]
    ToolChoiceUnsupported {
        /// The model.
        model: String,
        /// The `tool_choice` type given.
        choice: String,
    },
    /// A system message carrying `tool_addition` / `tool_removal` blocks that cannot be sent
    /// in place (the model does not take system turns there), so the tool changes would be lost.
    #[error("{model} cannot take the tool changes of system message {index} in place; only models with mid-conversation system messages can")]
    ToolChangesNotInPlace {
        /// The model.
        model: String,
        /// The index of the system message among the messages given.
        index: usize,
    },
    /// A tool definition the API refuses.
    #[error("tool {tool:?}: {rule}")]
    ToolSchema {
        /// The tool's name (for a limit across tools: the first tool past the limit).
        tool: String,
        /// The rule it breaks.
        rule: SchemaRule,
    },
    /// The request could not be serialized.
    #[error("could not serialize the request: {0}")]
    Serialize(String),
}

fn levels(supported: &[String]) -> String {
    match supported.len() {
        0 => "; it takes no effort setting".into(),
        _ => format!("; it takes {}", supported.join(", ")),
    }
}

/// A rule of the API for tool input schemas (strict mode adds limits across tools).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaRule {
    /// The root of `input_schema` must be `type: "object"` (a scalar, an array, a root
    /// `anyOf`/`oneOf`/`$ref` — what `Tool::from_type` makes of an enum or an `Option` — is
    /// refused).
    #[error("input_schema must have type \"object\" at its root, found {}", found.as_deref().unwrap_or("no type"))]
    RootNotObject {
        /// The root's `type`, if any.
        found: Option<String>,
    },
    /// At most 20 tools may be strict.
    #[error("too many strict tools ({count}); at most {max} are supported")]
    TooManyStrictTools {
        /// The number of strict tools.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// At most 24 optional parameters across all strict schemas.
    #[error(
        "too many optional parameters across strict tools ({count}); at most {max} are supported"
    )]
    TooManyOptionalParameters {
        /// The number of optional parameters so far.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// At most 16 parameters with union types (`type` arrays or `anyOf`) across strict schemas.
    #[error("too many parameters with union types across strict tools ({count}); at most {max} are supported")]
    TooManyUnionParameters {
        /// The number of union-typed parameters so far.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// One strict schema too complex for the strict-mode compiler, though within the
    /// per-request limits: 16 union-typed or 24 optional parameters in a single schema (the
    /// same counts spread over several tools compile). The API answers "Schema is too complex
    /// for compilation".
    #[error("schema too complex for strict mode: {unions} union-typed and {optional} optional parameters in one schema (one schema takes fewer than 16 and 24; spread them over several tools)")]
    TooComplex {
        /// The schema's optional parameters.
        optional: usize,
        /// The schema's union-typed parameters.
        unions: usize,
    },
    /// A strict schema whose `$ref`s loop (a recursive type).
    #[error("circular reference through {definition:?}: strict schemas cannot be recursive")]
    CircularReference {
        /// The definition that refers back to itself.
        definition: String,
    },
    /// A property whose schema is the boolean `true` (anything goes), refused in strict mode.
    #[error("property {property:?} has the schema `true`; strict schemas need a typed schema")]
    BooleanSchema {
        /// The property.
        property: String,
    },
}
