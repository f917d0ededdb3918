//! The coding agent of `examples/coding_agent.rs`, shared with `examples/web_chat.rs
//! --coding-agent`: a small shell project with a bug (a function and its tests) in a temporary
//! directory, the agent with Anthropic's text editor, bash and memory tools confined to it, and
//! the mock's script of the turns a model would play. Unix only, like the client tools.

// Each example (and the tests that include them) uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use chat_anthropic::agent::client_tools::{Bash, Memory, TextEditor, MEMORY_BETA};
use chat_anthropic::agent::{Agent, BudgetPolicy};
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockScript, MockTurns};
use serde_json::json;

/// The model the examples use.
pub const MODEL: &str = "claude-sonnet-4-6";

/// What the user asks the agent.
pub const TASK: &str = "The tests of this project fail. Please fix the bug.";

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

/// A folder of our own under the system's temporary directory (the project and the memory
/// directory), removed when dropped.
pub struct Workspace(PathBuf);

impl Workspace {
    /// A fresh project with the bug, and an empty memory directory.
    pub fn new() -> std::io::Result<Self> {
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

    /// The project: the text editor's and bash's root.
    pub fn project(&self) -> PathBuf {
        self.0.join("project")
    }

    /// The memory tool's root (`/memories` to the model).
    pub fn memories(&self) -> PathBuf {
        self.0.join("memories")
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The agent on `llm`: the text editor and bash confined to the project, memory to its own
/// directory.
pub fn agent(llm: ChatAnthropic, workspace: &Workspace) -> std::io::Result<Agent> {
    Ok(Agent::new(llm.betas([MEMORY_BETA]))
        .system(
            "You are a careful coding agent. The project is your working directory. Find and fix \
             the bug, run the tests with `bash test_calc.sh`, and save a short note about the \
             project in /memories.",
        )
        .tool(TextEditor::new(workspace.project())?.into_tool())
        .tool(Bash::new(workspace.project())?.into_tool())
        .tool(Memory::new(workspace.memories())?.into_tool())
        .max_turns(12)
        // Drop the oldest exchanges if the conversation nears 80% of the context window.
        .context_budget(0.8, BudgetPolicy::Trim))
}

/// What the mock answers, turn by turn, from the tool results it gets (the real model
/// decides for itself): view the file, fix the off-by-one with `str_replace`, run
/// `bash test_calc.sh`, write a memory note, answer. Rules are tried in order; each looks at
/// the latest results.
pub fn script() -> MockTurns {
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

/// Runs the project's tests without the agent, to check its work.
pub fn tests_pass(project: &Path) -> bool {
    std::process::Command::new("bash")
        .arg("test_calc.sh")
        .current_dir(project)
        .output()
        .is_ok_and(|output| output.status.success())
}
