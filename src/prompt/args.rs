//! The values a prompt is formatted with.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::ConfigReason;
use crate::messages::{IntoMessages, Message};

/// One value: text for a `{placeholder}`, or messages for a messages placeholder.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PromptArg {
    /// Text substituted into `{name}`.
    Text(String),
    /// Messages inserted at a [`ChatPromptTemplate`](super::ChatPromptTemplate) messages placeholder.
    Messages(Vec<Message>),
}

/// Named values for [`ChatPromptTemplate::format`](super::ChatPromptTemplate::format).
///
/// ```
/// use chat_anthropic::prompt::PromptArgs;
/// use chat_anthropic::HumanMessage;
/// let args = PromptArgs::from([("input_language", "English"), ("output_language", "German")])
///     .messages("history", vec![HumanMessage::new("Hi").into()]);
/// assert_eq!(args.len(), 3);
/// // Or from JSON, as LangChain's dict: strings, numbers and booleans become text.
/// let args = PromptArgs::try_from(serde_json::json!({"input": "I love programming.", "n": 3})).unwrap();
/// assert_eq!(args.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PromptArgs(pub(crate) BTreeMap<String, PromptArg>);

impl PromptArgs {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `{name}` to `value`.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(name.into(), PromptArg::Text(value.into()));
        self
    }

    /// Sets the messages placeholder `name`.
    pub fn messages(mut self, name: impl Into<String>, messages: Vec<Message>) -> Self {
        self.0.insert(name.into(), PromptArg::Messages(messages));
        self
    }

    /// How many values are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no value is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for PromptArgs {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs
            .into_iter()
            .fold(Self::new(), |args, (k, v)| args.text(k, v))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for PromptArgs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        pairs
            .into_iter()
            .fold(Self::new(), |args, (k, v)| args.text(k, v))
    }
}

impl TryFrom<Value> for PromptArgs {
    type Error = crate::Error;

    /// A JSON object: strings, numbers and booleans become text; an array becomes messages
    /// (serialized [`Message`]s, or `[role, content]` pairs).
    fn try_from(value: Value) -> Result<Self, crate::Error> {
        let Value::Object(map) = value else {
            return Err(crate::Error::config(
                ConfigReason::InvalidInput,
                "prompt arguments must be a JSON object",
            ));
        };
        let mut args = Self::new();
        for (name, value) in map {
            let arg = match value {
                Value::String(text) => PromptArg::Text(text),
                Value::Number(_) | Value::Bool(_) => PromptArg::Text(value.to_string()),
                Value::Array(items) => PromptArg::Messages(messages_from_json(&name, items)?),
                other => {
                    return Err(crate::Error::config(
                        ConfigReason::InvalidInput,
                        format!(
                        "prompt argument {name:?} must be text or a list of messages, got {other}"
                    ),
                    ))
                }
            };
            args.0.insert(name, arg);
        }
        Ok(args)
    }
}

fn messages_from_json(name: &str, items: Vec<Value>) -> Result<Vec<Message>, crate::Error> {
    items
        .into_iter()
        .map(|item| {
            if let Some([Value::String(role), Value::String(content)]) =
                item.as_array().map(Vec::as_slice)
            {
                return Ok(Message::from_role(role, content.clone())?);
            }
            serde_json::from_value::<Message>(item).map_err(|e| {
                crate::Error::config(
                    ConfigReason::InvalidInput,
                    format!("prompt argument {name:?}: not a message ({e})"),
                )
            })
        })
        .collect()
}

/// Any conversation can fill a messages placeholder.
impl PromptArgs {
    /// Sets the messages placeholder `name` from anything that converts to messages (tuples,
    /// a string, messages).
    pub fn conversation(
        self,
        name: impl Into<String>,
        conversation: impl IntoMessages,
    ) -> Result<Self, crate::Error> {
        Ok(self.messages(name, conversation.into_messages()?))
    }
}
