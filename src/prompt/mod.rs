//! Prompt templates and chaining: `ChatPromptTemplate::from_messages(...)? | llm`.

mod args;
mod chain;
mod chat_template;
mod template;

pub use args::{PromptArg, PromptArgs};
pub use chain::Chain;
pub use chat_template::ChatPromptTemplate;

/// Why a prompt could not be built or formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PromptError {
    /// A `{name}` with no value.
    #[error("missing prompt variable `{0}`")]
    MissingVariable(String),
    /// A value of the wrong kind (text where messages belong, or the reverse).
    #[error("prompt variable `{name}` must be {expected}")]
    WrongKind {
        /// The variable.
        name: String,
        /// `"text"` or `"messages"`.
        expected: &'static str,
    },
    /// A template that does not parse.
    #[error("invalid prompt template {template:?}: {reason}")]
    InvalidTemplate {
        /// The template text.
        template: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl From<PromptError> for crate::error::Error {
    fn from(err: PromptError) -> Self {
        Self::Area(Box::new(err))
    }
}
