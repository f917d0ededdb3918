//! The client tools wired into an agent run against the mock server: the definitions the
//! request carries, a text-editor call run for real, and a call an approval hook denies.

use std::time::Duration;

use chat_anthropic::agent::client_tools::{Bash, TextEditor};
use chat_anthropic::agent::{Agent, AgentEvent, Approval, ApprovalHook};
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns};
use futures_util::StreamExt;
use serde_json::json;

use crate::client_tools_support::Sandbox;

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .max_retries(0)
}

#[tokio::test]
async fn a_text_editor_call_runs_in_an_agent_turn() {
    let sandbox = Sandbox::new();
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(MockScript::new().text("Writing it.").tool_use(
                    "toolu_1",
                    "str_replace_based_edit_tool",
                    json!({"command": "create", "path": "hello.py", "file_text": "print('hi')\n"}),
                )),
            )
            .when_result_contains(
                "File created successfully at: hello.py",
                MockReply::text("Done."),
            )
            .otherwise(MockReply::text("unexpected"))
            .responder(),
    );
    let agent = Agent::new(model(&server))
        .tool(
            TextEditor::new(&sandbox.root)
                .unwrap()
                .max_characters(5000)
                .into_tool(),
        )
        .tool(Bash::new(&sandbox.root).unwrap().into_tool());
    let mut run = agent.run("Write hello.py");
    let mut finished = Vec::new();
    let output = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = run.next().await {
            match event.unwrap() {
                AgentEvent::ToolFinished {
                    name,
                    content,
                    is_error,
                    ..
                } => {
                    finished.push((name, content.text(), is_error));
                }
                AgentEvent::Finished(output) => return *output,
                _ => {}
            }
        }
        panic!("the run ended without Finished")
    })
    .await
    .expect("the run took too long");
    assert_eq!(output.message.text(), "Done.");
    assert_eq!(
        finished,
        [(
            "str_replace_based_edit_tool".to_owned(),
            "File created successfully at: hello.py".to_owned(),
            false
        )]
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.root.join("hello.py")).unwrap(),
        "print('hi')\n"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body["tools"],
        json!([
            {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool", "max_characters": 5000},
            {"type": "bash_20250124", "name": "bash"}
        ])
    );
    let result = &requests[1].body["messages"][2]["content"][0];
    assert_eq!(result["type"], "tool_result");
    assert_eq!(result["tool_use_id"], "toolu_1");
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn a_denied_call_goes_back_as_an_error_and_does_not_run() {
    let sandbox = Sandbox::new();
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(MockScript::new().tool_use(
                    "toolu_1",
                    "bash",
                    json!({"command": "touch pwned"}),
                )),
            )
            .when_result_contains("call denied", MockReply::text("Understood."))
            .otherwise(MockReply::text("unexpected"))
            .responder(),
    );
    let hook = ApprovalHook::from_async(|request| async move {
        assert_eq!(request.tool, "bash");
        Approval::deny(format!("{} is not allowed here", request.input["command"]))
    });
    let agent = Agent::new(model(&server)).tool(
        Bash::new(&sandbox.root)
            .unwrap()
            .into_tool()
            .with_approval(hook),
    );
    let output = tokio::time::timeout(Duration::from_secs(20), agent.invoke("Go"))
        .await
        .expect("the run took too long")
        .unwrap();
    assert_eq!(output.message.text(), "Understood.");
    assert!(!sandbox.root.join("pwned").exists());
    let requests = server.requests();
    let result = &requests[1].body["messages"][2]["content"][0];
    assert_eq!(result["is_error"], true);
    assert_eq!(
        result["content"],
        "call denied: \"touch pwned\" is not allowed here"
    );
}
