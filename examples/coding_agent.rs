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
mod coding;
#[cfg(unix)]
mod common;

#[cfg(not(unix))]
fn main() {
    eprintln!("The client tools (and so this example) need a Unix system.");
}

#[cfg(unix)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run::main().await
}

#[cfg(unix)]
mod run {
    use std::io::Write;

    use chat_anthropic::agent::AgentEvent;
    use chat_anthropic::StreamUpdate;
    use futures_util::StreamExt;

    use crate::coding::{self, Workspace};
    use crate::common::real_or_mock;

    /// The first lines of a tool's output, indented.
    fn excerpt(text: &str) -> String {
        let lines: Vec<&str> = text.lines().collect();
        let mut shown: Vec<String> = lines.iter().take(8).map(|l| format!("      {l}")).collect();
        if lines.len() > 8 {
            shown.push(format!("      … ({} more lines)", lines.len() - 8));
        }
        shown.join("\n")
    }

    pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
        let workspace = Workspace::new()?;
        let project = workspace.project();
        println!(
            "Project in {}: calc.sh has a bug; test_calc.sh shows it.\n",
            project.display()
        );

        let (llm, _mock) = real_or_mock(coding::MODEL, coding::script().responder()).await;
        let agent = coding::agent(llm, &workspace)?;

        let mut run = agent.run(coding::TASK);
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
        if coding::tests_pass(&project) {
            println!("Checked: the tests pass.");
            Ok(())
        } else {
            Err("the tests still fail".into())
        }
    }
}
