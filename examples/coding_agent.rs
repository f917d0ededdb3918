//! A coding agent fixes a bug: a small shell project (a function and its tests) in a
//! temporary directory, an `Agent` with Anthropic's text editor, bash and memory tools
//! confined to it, each step printed as it streams (the model's words, each tool call's
//! arguments, each result).
//!
//! ```text
//! cargo run --example coding_agent --features client-tools
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set (the model decides what to do), the built-in
//! mock server otherwise, whose script plays the turns a model would: view the file, fix the
//! off-by-one with `str_replace`, run `bash test_calc.sh` with bash, write a memory note,
//! answer. The tools run for real either way, and the example checks the fix itself at the
//! end. Nothing but bash is needed (no Python, no cargo inside). Unix only, like the client
//! tools.

#[cfg(unix)]
mod common;

#[cfg(not(unix))]
fn main() {
    eprintln!("The client tools (and so this example) need a Unix system.");
}

#[cfg(unix)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    coding::main().await
}

#[cfg(unix)]
mod coding {
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use chat_anthropic::agent::client_tools::{Bash, Memory, TextEditor, MEMORY_BETA};
    use chat_anthropic::agent::{Agent, AgentEvent, BudgetPolicy};
    use chat_anthropic::StreamUpdate;
    use chat_anthropic_mock::{MockReply, MockScript, MockTurns};
    use futures_util::StreamExt;
    use serde_json::json;

    use crate::common::real_or_mock;

    const CALC: &str = r#"# average N... prints the arithmetic mean (rounded down) of the numbers given.
average() {
    local sum=0 n
    for n in "$@"; do
        sum=$((sum + n))
    done
    echo $((sum / ($# - 1)))
}
"#;

    const TEST_CALC: &str = r#"# The tests: bash test_calc.sh (exit status 0 when they pass).
. ./calc.sh
failed=0
check() {
    local expected=$1
    shift
    local got
    got=$(average "$@" 2>&1)
    if [ "$got" = "$expected" ]; then
        echo "ok: average $* = $expected"
    else
        echo "FAIL: average $* gave '$got', expected $expected"
        failed=1
    fi
}
check 4 2 4 6
check 5 5
[ "$failed" = 0 ] && echo "all tests passed"
exit "$failed"
"#;

    /// A folder of our own under the system's temporary directory, removed when dropped.
    struct Workspace(PathBuf);

    impl Workspace {
        fn new() -> std::io::Result<Self> {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let root =
                std::env::temp_dir().join(format!("coding-agent-{}-{nanos:x}", std::process::id()));
            std::fs::create_dir(&root)?;
            let workspace = Self(root);
            std::fs::create_dir(workspace.project())?;
            std::fs::create_dir(workspace.memories())?;
            std::fs::write(workspace.project().join("calc.sh"), CALC)?;
            std::fs::write(workspace.project().join("test_calc.sh"), TEST_CALC)?;
            Ok(workspace)
        }

        fn project(&self) -> PathBuf {
            self.0.join("project")
        }

        fn memories(&self) -> PathBuf {
            self.0.join("memories")
        }
    }

    impl Drop for Workspace {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// What the mock answers, turn by turn, from the tool results it gets (the real model
    /// decides for itself). Rules are tried in order; each looks at the latest results.
    fn script() -> MockTurns {
        let paced = |script: MockScript| MockReply::script(script).delay(Duration::from_millis(10));
        let result_has = |needle: &'static str| {
            move |turn: &chat_anthropic_mock::MockTurn| {
                turn.results
                    .iter()
                    .any(|r| !r.is_error && r.text.contains(needle))
            }
        };
        MockTurns::new()
            .turn(
                1,
                paced(
                    MockScript::new()
                        .text("Let me look at the implementation first.")
                        .tool_use("toolu_view", "str_replace_based_edit_tool", json!({"command": "view", "path": "calc.sh"})),
                ),
            )
            .when(
                result_has("File created successfully at: /memories"),
                paced(MockScript::new().text(
                    "Fixed: `average` divided by `$# - 1` instead of `$#`, the count of numbers. Both tests pass, and I left a note for next time.",
                )),
            )
            .when(
                |turn| turn.results.iter().any(|r| r.text.contains("all tests passed") && !r.text.contains("exit status")),
                paced(
                    MockScript::new()
                        .text("The tests pass. I'll note what I learned about this project.")
                        .tool_use("toolu_note", "memory", json!({
                            "command": "create",
                            "path": "/memories/calc-project.md",
                            "file_text": "# calc project\n- Tests: `bash test_calc.sh` in the project root.\n- Fixed: average divided by the count minus one (off by one).\n"
                        })),
                ),
            )
            .when(
                result_has("has been edited"),
                paced(
                    MockScript::new()
                        .text("Now let me run the tests.")
                        .tool_use("toolu_test", "bash", json!({"command": "bash test_calc.sh"})),
                ),
            )
            .when(
                result_has("($# - 1)"),
                paced(
                    MockScript::new()
                        .text("The mean divides by one less than the count of numbers. Fixing the divisor.")
                        .tool_use("toolu_fix", "str_replace_based_edit_tool", json!({
                            "command": "str_replace",
                            "path": "calc.sh",
                            "old_str": "echo $((sum / ($# - 1)))",
                            "new_str": "echo $((sum / $#))"
                        })),
                ),
            )
            .otherwise(paced(MockScript::new().text(
                "Something did not go as scripted (a tool failed); stopping here.",
            )))
    }

    /// The first lines of a tool's output, indented.
    fn excerpt(text: &str) -> String {
        let lines: Vec<&str> = text.lines().collect();
        let mut shown: Vec<String> = lines.iter().take(8).map(|l| format!("      {l}")).collect();
        if lines.len() > 8 {
            shown.push(format!("      … ({} more lines)", lines.len() - 8));
        }
        shown.join("\n")
    }

    /// Runs the project's tests without the agent, to check its work.
    fn tests_pass(project: &Path) -> bool {
        std::process::Command::new("bash")
            .arg("test_calc.sh")
            .current_dir(project)
            .output()
            .is_ok_and(|output| output.status.success())
    }

    pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
        let workspace = Workspace::new()?;
        let project = workspace.project();
        println!(
            "Project in {}: calc.sh has a bug; test_calc.sh shows it.\n",
            project.display()
        );

        let (llm, _mock) = real_or_mock("claude-sonnet-4-6", script().responder()).await;
        let agent = Agent::new(llm.betas([MEMORY_BETA]))
            .system(
                "You are a careful coding agent. The project is your working directory. Find and fix \
                 the bug, run the tests with `bash test_calc.sh`, and save a short note about the \
                 project in /memories.",
            )
            .tool(TextEditor::new(&project)?.into_tool())
            .tool(Bash::new(&project)?.into_tool())
            .tool(Memory::new(workspace.memories())?.into_tool())
            .max_turns(12)
            // Drop the oldest exchanges if the conversation nears 80% of the context window.
            .context_budget(0.8, BudgetPolicy::Trim);

        let mut run = agent.run("The tests of this project fail. Please fix the bug.");
        let mut out = std::io::stdout();
        while let Some(event) = run.next().await {
            match event? {
                AgentEvent::TurnStarted { turn } => println!("── turn {turn} ──"),
                AgentEvent::Update { update, .. } => match update {
                    StreamUpdate::Text { text, .. } => {
                        print!("{text}");
                        out.flush()?;
                    }
                    StreamUpdate::ToolCallStarted { name, .. } => print!("\n  {name} "),
                    StreamUpdate::ToolArgComplete { pointer, value, .. } if !pointer.is_empty() => {
                        print!("{}={value} ", &pointer[1..]);
                        out.flush()?;
                    }
                    _ => {}
                },
                AgentEvent::ToolStarted { name, .. } => println!("\n  ▶ {name}"),
                AgentEvent::ToolFinished {
                    name,
                    content,
                    is_error,
                    ..
                } => {
                    let mark = if is_error { "✘" } else { "✔" };
                    println!("  {mark} {name}:\n{}", excerpt(&content.text()));
                }
                AgentEvent::TurnPaused { continuation, .. } => {
                    println!("\n  (the API paused the turn; continuing, #{continuation})");
                }
                AgentEvent::ContextTrimmed { removed, .. } => {
                    println!("  (context budget: dropped the {removed} oldest messages)");
                }
                AgentEvent::TurnFinished { usage, .. } => {
                    println!(
                        "\n  [{} tokens in, {} out]",
                        usage.input_tokens, usage.output_tokens
                    );
                }
                AgentEvent::Finished(output) => {
                    println!("\nDone after {} turns ({:?}).", output.turns, output.stop);
                }
                _ => {}
            }
        }

        println!(
            "\ncalc.sh now reads:\n{}",
            std::fs::read_to_string(project.join("calc.sh"))?
        );
        for note in std::fs::read_dir(workspace.memories())? {
            let note = note?;
            println!(
                "Memory note {}:\n{}",
                note.file_name().to_string_lossy(),
                std::fs::read_to_string(note.path())?
            );
        }
        if tests_pass(&project) {
            println!("Checked: the tests pass.");
            Ok(())
        } else {
            Err("the tests still fail".into())
        }
    }
}
