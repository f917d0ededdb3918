//! From LangChain-style messages to the API's `system` + alternating `messages`.

use serde::Serialize;
use serde_json::Value;

use super::standard_blocks::to_api_content;
use crate::error::{Error, RequestError};
use crate::messages::{
    AIMessage, ContentBlock, Message, MessageContent, ToolResultBlock, ToolUseBlock,
};

/// One turn of the request's `messages`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Turn {
    pub(crate) role: &'static str,
    pub(crate) content: MessageContent,
}

/// The request's `system` field and turns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conversation {
    pub(crate) system: Option<MessageContent>,
    pub(crate) turns: Vec<Turn>,
}

/// Where a system message that is not at the start goes, from the model's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SystemPlacement<'a> {
    /// The model, to name in errors.
    pub(crate) model: &'a str,
    /// Whether `role: "system"` turns are accepted inside `messages`.
    pub(crate) in_place: bool,
    /// Whether they may carry `tool_addition` / `tool_removal` blocks.
    pub(crate) tool_changes: bool,
}

/// Leading system messages become `system`; a later one stays in place as a `system` turn
/// when the model accepts that and it follows a user turn (or an assistant turn ending in a
/// server-tool result), and is hoisted into `system` otherwise, with a warning. Tool results
/// become `tool_result` blocks of a user turn, and consecutive turns of the same role merge
/// (the API requires alternation; several tool results of one step become one user turn).
pub(crate) fn to_conversation(
    messages: Vec<Message>,
    placement: SystemPlacement<'_>,
) -> Result<Conversation, Error> {
    let mut system: Vec<MessageContent> = Vec::new();
    let mut turns: Vec<Turn> = Vec::new();
    for (index, message) in messages.into_iter().enumerate() {
        let (role, content) = match message {
            Message::System(m) => {
                let changes_tools = has_tool_changes(&m.content);
                let in_place = placement.in_place
                    && (!changes_tools || placement.tool_changes)
                    && turns.last().is_some_and(accepts_system_after);
                if in_place {
                    ("system", m.content)
                } else if changes_tools {
                    return Err(RequestError::ToolChangesNotInPlace {
                        model: placement.model.to_owned(),
                        index,
                    }
                    .into());
                } else {
                    if !turns.is_empty() {
                        tracing::warn!(
                            model = placement.model,
                            index,
                            "a system message after the first turn is moved into the top-level system prompt: the model does not take it in place here"
                        );
                    }
                    system.push(m.content);
                    continue;
                }
            }
            Message::Human(m) => ("user", to_api_content(m.content)?),
            Message::Ai(m) => ("assistant", assistant_content(m)),
            Message::Tool(m) => (
                "user",
                MessageContent::Blocks(vec![ContentBlock::ToolResult(ToolResultBlock {
                    tool_use_id: m.tool_call_id,
                    content: Some(to_api_content(m.content)?),
                    is_error: m.is_error.then_some(true),
                    ..ToolResultBlock::default()
                })]),
            ),
        };
        match turns.last_mut() {
            Some(last) if last.role == role => {
                let mut blocks = std::mem::take(&mut last.content).into_blocks();
                blocks.extend(content.into_blocks());
                last.content = MessageContent::Blocks(blocks);
            }
            _ => turns.push(Turn { role, content }),
        }
    }
    let system = match system.len() {
        0 => None,
        1 => system.pop(),
        _ => Some(MessageContent::Blocks(
            system
                .into_iter()
                .flat_map(MessageContent::into_blocks)
                .collect(),
        )),
    };
    Ok(Conversation { system, turns })
}

/// A system turn may follow a user turn, another system turn, or an assistant turn whose
/// last block is a server tool's result (the API's own tool loop paused there).
fn accepts_system_after(last: &Turn) -> bool {
    match last.role {
        "assistant" => match &last.content {
            MessageContent::Blocks(blocks) => {
                matches!(blocks.last(), Some(ContentBlock::ServerToolResult(_)))
            }
            MessageContent::Text(_) => false,
        },
        _ => true,
    }
}

/// Whether system content changes the tool set mid-conversation.
fn has_tool_changes(content: &MessageContent) -> bool {
    match content {
        MessageContent::Blocks(blocks) => blocks
            .iter()
            .any(|block| matches!(block.kind(), "tool_addition" | "tool_removal")),
        MessageContent::Text(_) => false,
    }
}

/// An assistant turn goes back as it came: its blocks unchanged (thinking signatures and
/// tool_use blocks included). Tool calls that have no `tool_use` block (a message built by
/// hand) get one, after the content.
fn assistant_content(message: AIMessage) -> MessageContent {
    if message.tool_calls.is_empty() {
        return message.content;
    }
    let mut blocks = match message.content {
        MessageContent::Text(text) if text.is_empty() => Vec::new(),
        content => content.into_blocks(),
    };
    let missing: Vec<_> = message
        .tool_calls
        .into_iter()
        .filter(|call| {
            !blocks
                .iter()
                .any(|b| matches!(b, ContentBlock::ToolUse(u) if u.id == call.id))
        })
        .collect();
    blocks.extend(missing.into_iter().map(|call| {
        ContentBlock::ToolUse(ToolUseBlock {
            id: call.id,
            name: call.name,
            input: match call.args {
                Value::Null => Value::Object(Default::default()),
                args => args,
            },
            ..ToolUseBlock::default()
        })
    }));
    MessageContent::Blocks(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HumanMessage, SystemMessage, ToolCall, ToolMessage};
    use serde_json::json;

    fn to_conversation(messages: Vec<Message>) -> Result<Conversation, Error> {
        super::to_conversation(messages, SystemPlacement::default())
    }

    fn as_json(conversation: &Conversation) -> Value {
        json!({"system": conversation.system, "messages": conversation.turns})
    }

    #[test]
    fn system_is_hoisted_and_turns_alternate() {
        let conversation = to_conversation(vec![
            SystemMessage::new("Be brief.").into(),
            HumanMessage::new("Hi").into(),
            HumanMessage::new("Again").into(),
            AIMessage::new("Hello").into(),
        ])
        .unwrap();
        assert_eq!(
            as_json(&conversation),
            json!({"system": "Be brief.", "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "Again"}]},
                {"role": "assistant", "content": "Hello"}
            ]})
        );
    }

    #[test]
    fn tool_results_of_one_step_share_one_user_turn_in_order() {
        let mut ai = AIMessage::new("Checking both.");
        ai.tool_calls = vec![
            ToolCall::new("GetWeather", json!({"location": "LA"}), "toolu_1"),
            ToolCall::new("GetWeather", json!({"location": "NY"}), "toolu_2"),
        ];
        let conversation = to_conversation(vec![
            HumanMessage::new("Weather in LA and NY?").into(),
            ai.into(),
            ToolMessage::new("Sunny", "toolu_1").into(),
            ToolMessage::error("Unavailable", "toolu_2").into(),
        ])
        .unwrap();
        let turns = as_json(&conversation)["messages"].clone();
        assert_eq!(
            turns[1]["content"][1],
            json!({"type": "tool_use", "id": "toolu_1", "name": "GetWeather", "input": {"location": "LA"}})
        );
        assert_eq!(
            turns[2],
            json!({"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "Sunny"},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": "Unavailable", "is_error": true}
            ]})
        );
        assert_eq!(turns.as_array().unwrap().len(), 3);
    }

    #[test]
    fn several_system_messages_become_text_blocks() {
        let conversation = to_conversation(vec![
            SystemMessage::new("One.").into(),
            SystemMessage::new("Two.").into(),
            HumanMessage::new("Hi").into(),
        ])
        .unwrap();
        assert_eq!(
            as_json(&conversation)["system"],
            json!([{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}])
        );
    }

    const OPUS_4_8: SystemPlacement<'static> = SystemPlacement {
        model: "claude-opus-4-8",
        in_place: true,
        tool_changes: true,
    };

    fn roles(conversation: &Conversation) -> Vec<&'static str> {
        conversation.turns.iter().map(|t| t.role).collect()
    }

    #[test]
    fn a_later_system_message_stays_in_place_after_a_user_turn_where_the_model_allows() {
        let messages = || -> Vec<Message> {
            vec![
                SystemMessage::new("initial").into(),
                HumanMessage::new("hello").into(),
                SystemMessage::new("new instructions").into(),
                AIMessage::new("answer").into(),
                HumanMessage::new("next").into(),
            ]
        };
        let in_place = super::to_conversation(messages(), OPUS_4_8).unwrap();
        assert_eq!(
            in_place.system,
            Some(MessageContent::Text("initial".into()))
        );
        assert_eq!(roles(&in_place), ["user", "system", "assistant", "user"]);
        let hoisted = to_conversation(messages()).unwrap();
        assert_eq!(roles(&hoisted), ["user", "assistant", "user"]);
        assert_eq!(
            as_json(&hoisted)["system"],
            json!([{"type": "text", "text": "initial"}, {"type": "text", "text": "new instructions"}])
        );
    }

    #[test]
    fn after_an_assistant_turn_only_a_server_tool_result_keeps_it_in_place() {
        let after_text = super::to_conversation(
            vec![
                HumanMessage::new("hi").into(),
                AIMessage::new("hello").into(),
                SystemMessage::new("be brief").into(),
            ],
            OPUS_4_8,
        )
        .unwrap();
        assert_eq!(roles(&after_text), ["user", "assistant"], "hoisted");
        let search_result: ContentBlock = serde_json::from_value(json!({
            "type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []
        }))
        .unwrap();
        let mut paused = AIMessage::new("");
        paused.content = MessageContent::Blocks(vec![search_result]);
        let after_server_tool = super::to_conversation(
            vec![
                HumanMessage::new("hi").into(),
                paused.into(),
                SystemMessage::new("cite sources").into(),
            ],
            OPUS_4_8,
        )
        .unwrap();
        assert_eq!(roles(&after_server_tool), ["user", "assistant", "system"]);
    }

    #[test]
    fn tool_changes_go_in_place_or_are_refused_never_dropped() {
        let addition: ContentBlock = serde_json::from_value(json!({
            "type": "tool_addition", "tool": {"type": "tool_reference", "name": "answer"}
        }))
        .unwrap();
        let messages = || -> Vec<Message> {
            vec![
                HumanMessage::new("hello").into(),
                SystemMessage::new(MessageContent::Blocks(vec![addition.clone()])).into(),
            ]
        };
        let sent = super::to_conversation(messages(), OPUS_4_8).unwrap();
        assert_eq!(
            as_json(&sent)["messages"][1],
            json!({"role": "system", "content": [{"type": "tool_addition", "tool": {"type": "tool_reference", "name": "answer"}}]})
        );
        let refused = to_conversation(messages()).unwrap_err();
        assert!(matches!(
            refused,
            Error::Request(RequestError::ToolChangesNotInPlace { index: 1, .. })
        ));
    }
}
