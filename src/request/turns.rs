//! From LangChain-style messages to the API's `system` + alternating `messages`.

use serde::Serialize;
use serde_json::Value;

use super::standard_blocks::to_api_content;
use crate::error::ContentError;
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

/// Hoists system messages into `system`, turns tool results into `tool_result` blocks of a
/// user turn, and merges consecutive turns of the same role (the API requires alternation;
/// several tool results of one step become one user turn, in order).
pub(crate) fn to_conversation(messages: Vec<Message>) -> Result<Conversation, ContentError> {
    let mut system: Vec<MessageContent> = Vec::new();
    let mut turns: Vec<Turn> = Vec::new();
    for message in messages {
        let (role, content) = match message {
            Message::System(m) => {
                system.push(m.content);
                continue;
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
}
