//! `ChatPromptTemplate`: a conversation with `{placeholders}`.

use super::args::{PromptArg, PromptArgs};
use super::chain::Chain;
use super::template::Template;
use super::PromptError;
use crate::chat_model::ChatAnthropic;
use crate::messages::{Message, MessageContent};

/// One entry of a template: a role with a text template, or a slot for a list of messages.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Message { role: String, template: Template },
    Placeholder { name: String, optional: bool },
}

/// A chat prompt: messages whose text has `{name}` placeholders, plus optional slots for
/// whole conversations (history).
///
/// ```
/// use chat_anthropic::prompt::{ChatPromptTemplate, PromptArgs};
/// use chat_anthropic::Message;
/// let prompt = ChatPromptTemplate::from_messages([
///     ("system", "You are a helpful assistant that translates {input_language} to {output_language}."),
///     ("human", "{input}"),
/// ])?;
/// let messages = prompt.format(&PromptArgs::from([
///     ("input_language", "English"), ("output_language", "German"), ("input", "I love programming."),
/// ]))?;
/// assert_eq!(messages[0].content().text(), "You are a helpful assistant that translates English to German.");
/// let missing = prompt.format(&PromptArgs::from([("input", "x")])).unwrap_err();
/// assert_eq!(missing.to_string(), "missing prompt variable `input_language`");
/// # Ok::<(), chat_anthropic::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ChatPromptTemplate {
    entries: Vec<Entry>,
}

impl ChatPromptTemplate {
    /// A template from `(role, template)` pairs; roles as for [`Message::from_role`], plus
    /// `("placeholder", "{history}")` for a messages slot (as in LangChain).
    pub fn from_messages<R: AsRef<str>, T: AsRef<str>>(
        messages: impl IntoIterator<Item = (R, T)>,
    ) -> Result<Self, crate::Error> {
        let mut entries = Vec::new();
        for (role, text) in messages {
            let (role, text) = (role.as_ref(), text.as_ref());
            if role == "placeholder" {
                let name = text.trim().trim_start_matches('{').trim_end_matches('}');
                entries.push(Entry::Placeholder {
                    name: name.trim().to_owned(),
                    optional: true,
                });
                continue;
            }
            // Reject unknown roles now, not at format time.
            Message::from_role(role, "")?;
            entries.push(Entry::Message {
                role: role.to_owned(),
                template: Template::parse(text)?,
            });
        }
        Ok(Self { entries })
    }

    /// Adds a required messages placeholder (LangChain's `MessagesPlaceholder`).
    pub fn messages_placeholder(mut self, name: impl Into<String>) -> Self {
        self.entries.push(Entry::Placeholder {
            name: name.into(),
            optional: false,
        });
        self
    }

    /// Every variable name the template uses, in order, without repeats.
    pub fn input_variables(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for entry in &self.entries {
            let found: Vec<&str> = match entry {
                Entry::Message { template, .. } => template.variables().collect(),
                Entry::Placeholder { name, .. } => vec![name.as_str()],
            };
            for name in found {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
        names
    }

    /// The messages, with every placeholder filled. A missing variable is an error naming it.
    pub fn format(&self, args: &PromptArgs) -> Result<Vec<Message>, crate::Error> {
        let mut out = Vec::new();
        for entry in &self.entries {
            match entry {
                Entry::Message { role, template } => {
                    let text = template.render(|name| match args.0.get(name) {
                        Some(PromptArg::Text(text)) => Ok(text.clone()),
                        Some(PromptArg::Messages(_)) => Err(PromptError::WrongKind {
                            name: name.to_owned(),
                            expected: "text",
                        }),
                        None => Err(PromptError::MissingVariable(name.to_owned())),
                    })?;
                    out.push(Message::from_role(role, MessageContent::Text(text))?);
                }
                Entry::Placeholder { name, optional } => match args.0.get(name) {
                    Some(PromptArg::Messages(messages)) => out.extend(messages.iter().cloned()),
                    Some(PromptArg::Text(_)) => {
                        return Err(PromptError::WrongKind {
                            name: name.clone(),
                            expected: "messages",
                        }
                        .into())
                    }
                    None if *optional => {}
                    None => return Err(PromptError::MissingVariable(name.clone()).into()),
                },
            }
        }
        Ok(out)
    }

    /// `prompt | llm`: a chain that formats, then calls the model.
    pub fn pipe(self, model: ChatAnthropic) -> Chain {
        Chain::new(self, model)
    }
}

impl std::ops::BitOr<ChatAnthropic> for ChatPromptTemplate {
    type Output = Chain;

    fn bitor(self, model: ChatAnthropic) -> Chain {
        self.pipe(model)
    }
}
