//! The messages of a conversation: system, human, AI and tool turns.

use serde::{Deserialize, Serialize};

use super::ContentError;
use super::{AIMessage, CacheControl, MessageContent};

/// Instructions for the model; sent as the request's top-level `system` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemMessage {
    /// The instructions (text or text blocks).
    pub content: MessageContent,
}

/// The user's turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HumanMessage {
    /// Text, or blocks (text, images, documents, …).
    pub content: MessageContent,
}

/// The result of a tool call, sent back as a `tool_result` block in a user turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolMessage {
    /// The tool's output: text or blocks.
    pub content: MessageContent,
    /// The `id` of the [`ToolCall`](super::ToolCall) this answers.
    pub tool_call_id: String,
    /// Whether the tool failed (sent as `is_error: true`).
    #[serde(default)]
    pub is_error: bool,
}

macro_rules! content_constructor {
    ($type:ident) => {
        impl $type {
            /// A message with this content.
            pub fn new(content: impl Into<MessageContent>) -> Self {
                Self {
                    content: content.into(),
                }
            }

            /// The same message with a prompt-caching breakpoint on its last block
            /// ([`MessageContent::with_cache_control`]).
            pub fn with_cache_control(mut self, cache_control: CacheControl) -> Self {
                self.content = self.content.with_cache_control(cache_control);
                self
            }
        }
    };
}
content_constructor!(SystemMessage);
content_constructor!(HumanMessage);

impl ToolMessage {
    /// The successful result of the call `tool_call_id`.
    ///
    /// ```
    /// use chat_anthropic::ToolMessage;
    /// let result = ToolMessage::new("It's 15°C and sunny.", "toolu_01");
    /// assert!(!result.is_error);
    /// assert!(ToolMessage::error("city not found", "toolu_02").is_error);
    /// ```
    pub fn new(content: impl Into<MessageContent>, tool_call_id: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            tool_call_id: tool_call_id.into(),
            is_error: false,
        }
    }

    /// A failed call's error, reported to the model with `is_error: true`.
    pub fn error(content: impl Into<MessageContent>, tool_call_id: impl Into<String>) -> Self {
        Self {
            is_error: true,
            ..Self::new(content, tool_call_id)
        }
    }
}

/// One message of a conversation, as in LangChain (`type` is `system`, `human`, `ai` or `tool`
/// when serialized, so conversations can be stored and reloaded).
///
/// The seed's tuples convert: `("system", …)`, `("human" | "user", …)`,
/// `("ai" | "assistant", …)`.
///
/// ```
/// use chat_anthropic::Message;
/// let msg = Message::try_from(("human", "I love programming.")).unwrap();
/// assert_eq!(msg.role(), "human");
/// let json = serde_json::to_string(&msg).unwrap();
/// assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), msg);
/// assert!(Message::try_from(("robot", "beep")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
// Messages are built once per turn; boxing the AI variant would only make matching clumsier.
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// System instructions.
    System(SystemMessage),
    /// A user turn.
    Human(HumanMessage),
    /// An assistant turn.
    Ai(AIMessage),
    /// A tool result.
    Tool(ToolMessage),
}

impl Message {
    /// `"system"`, `"human"`, `"ai"` or `"tool"`.
    pub fn role(&self) -> &'static str {
        match self {
            Self::System(_) => "system",
            Self::Human(_) => "human",
            Self::Ai(_) => "ai",
            Self::Tool(_) => "tool",
        }
    }

    /// The message's content.
    pub fn content(&self) -> &MessageContent {
        match self {
            Self::System(m) => &m.content,
            Self::Human(m) => &m.content,
            Self::Ai(m) => &m.content,
            Self::Tool(m) => &m.content,
        }
    }

    /// A message from a LangChain role name and content.
    pub fn from_role(role: &str, content: impl Into<MessageContent>) -> Result<Self, ContentError> {
        Ok(match role {
            "system" => Self::System(SystemMessage::new(content)),
            "human" | "user" => Self::Human(HumanMessage::new(content)),
            "ai" | "assistant" => Self::Ai(AIMessage::new(content)),
            other => {
                return Err(ContentError::UnknownRole {
                    role: other.to_owned(),
                })
            }
        })
    }
}

impl<C: Into<MessageContent>> TryFrom<(&str, C)> for Message {
    type Error = ContentError;

    fn try_from((role, content): (&str, C)) -> Result<Self, ContentError> {
        Self::from_role(role, content)
    }
}

macro_rules! into_message {
    ($($type:ident => $variant:ident),*) => {$(
        impl From<$type> for Message {
            fn from(message: $type) -> Self {
                Self::$variant(message)
            }
        }
    )*};
}
into_message!(SystemMessage => System, HumanMessage => Human, AIMessage => Ai, ToolMessage => Tool);

/// Anything `invoke`, `stream` and `batch` accept as a conversation: a single prompt string,
/// messages, or the seed's `(role, content)` tuples.
///
/// ```
/// use chat_anthropic::messages::IntoMessages;
/// use chat_anthropic::{HumanMessage, Message, SystemMessage};
/// let tuples = [("system", "Translate to French."), ("human", "I love programming.")];
/// let messages = tuples.into_messages().unwrap();
/// assert_eq!(messages[0], Message::System(SystemMessage::new("Translate to French.")));
/// assert_eq!("Hi".into_messages().unwrap(), vec![Message::Human(HumanMessage::new("Hi"))]);
/// ```
pub trait IntoMessages {
    /// The conversation, or an error for an unknown role.
    fn into_messages(self) -> Result<Vec<Message>, ContentError>;
}

impl IntoMessages for &str {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        Ok(vec![Message::Human(HumanMessage::new(self))])
    }
}

impl IntoMessages for String {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        Ok(vec![Message::Human(HumanMessage::new(self))])
    }
}

impl IntoMessages for Message {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        Ok(vec![self])
    }
}

macro_rules! single_message_input {
    ($($type:ident),*) => {$(
        impl IntoMessages for $type {
            fn into_messages(self) -> Result<Vec<Message>, ContentError> {
                Ok(vec![self.into()])
            }
        }
    )*};
}
single_message_input!(SystemMessage, HumanMessage, AIMessage, ToolMessage);

impl IntoMessages for Vec<Message> {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        Ok(self)
    }
}

impl IntoMessages for &[Message] {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        Ok(self.to_vec())
    }
}

impl<const N: usize> IntoMessages for [Message; N] {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        Ok(self.into())
    }
}

impl<R: AsRef<str>, C: Into<MessageContent>> IntoMessages for Vec<(R, C)> {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        self.into_iter()
            .map(|(role, content)| Message::from_role(role.as_ref(), content))
            .collect()
    }
}

impl<R: AsRef<str>, C: Into<MessageContent>, const N: usize> IntoMessages for [(R, C); N] {
    fn into_messages(self) -> Result<Vec<Message>, ContentError> {
        Vec::from(self).into_messages()
    }
}
