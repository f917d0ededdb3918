//! A chat in the terminal: type a line, watch the reply stream in (a spinner until the first
//! token, thinking dimmed, a tool call's arguments field by field), then the usage line.
//! One conversation until end of input (Ctrl-D).
//!
//! ```text
//! cargo run --example chat_tui
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set (thinking on, a `write_file` tool offered,
//! never run); otherwise the built-in mock server streams a scripted reply with thinking,
//! text and a `write_file` call. Colours and the spinner (plain ANSI escapes) only when the
//! output is a terminal; into a pipe or a file it writes plain text.

mod common;

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use chat_anthropic::partial_json::JsonPointer;
use chat_anthropic::{settings::Thinking, ChatAnthropic, StreamUpdate, Tool};
use chat_anthropic_mock::ui_demo_reply;
use common::real_or_mock;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, BufReader};

const MODEL: &str = "claude-sonnet-4-6";
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPIN_EVERY: Duration = Duration::from_millis(80);

/// The escapes the output understands: all of them on a terminal, none in a pipe or a file.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    bold: &'static str,
    dim: &'static str,
    cyan: &'static str,
    green: &'static str,
    red: &'static str,
    reset: &'static str,
    /// Back to the start of the line, and erase it.
    clear_line: &'static str,
    /// Whether to animate a spinner while waiting (it redraws its line).
    spinner: bool,
}

impl Style {
    /// Colours, and a spinner while waiting.
    pub const TERMINAL: Style = Style {
        bold: "\x1b[1m",
        dim: "\x1b[2m",
        cyan: "\x1b[36m",
        green: "\x1b[32m",
        red: "\x1b[31m",
        reset: "\x1b[0m",
        clear_line: "\r\x1b[2K",
        spinner: true,
    };

    /// Plain text.
    pub const PLAIN: Style = Style {
        bold: "",
        dim: "",
        cyan: "",
        green: "",
        red: "",
        reset: "",
        clear_line: "",
        spinner: false,
    };

    /// The style for an output that is (or is not) a terminal.
    pub fn for_terminal(is_terminal: bool) -> Style {
        if is_terminal {
            Style::TERMINAL
        } else {
            Style::PLAIN
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _mock) = real_or_mock(MODEL, ui_demo_reply).await;
    let style = Style::for_terminal(io::stdout().is_terminal());
    run(
        &configure(llm),
        BufReader::new(tokio::io::stdin()),
        io::stdout(),
        style,
    )
    .await?;
    Ok(())
}

/// Thinking on, and a `write_file` tool the model may call.
pub fn configure(llm: ChatAnthropic) -> ChatAnthropic {
    let write_file = Tool::new(
        "write_file",
        json!({
            "type": "object",
            "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
            "required": ["path", "content"],
        }),
    )
    .description("Write a text file.");
    llm.max_tokens(4096)
        .thinking(Thinking::enabled(1024))
        .bind_tools([write_file])
}

/// Reads lines from `input` and streams each reply to `out` in `style`, until end of input.
pub async fn run(
    llm: &ChatAnthropic,
    input: impl AsyncBufRead + Unpin,
    mut out: impl Write,
    style: Style,
) -> io::Result<()> {
    let Style { bold, reset, .. } = style;
    let mut lines = input.lines();
    let mut history: Vec<(String, String)> = Vec::new();
    loop {
        write!(out, "{bold}> {reset}")?;
        out.flush()?;
        let Some(line) = lines.next_line().await? else {
            writeln!(out)?;
            return Ok(());
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        history.push(("user".into(), line.to_owned()));
        let reply = stream_reply(llm, &history, &mut out, style).await?;
        if reply.is_empty() {
            history.pop(); // nothing to continue from: forget the question too
        } else {
            history.push(("assistant".into(), reply));
        }
    }
}

/// Streams one reply; returns its text (kept in the conversation).
async fn stream_reply(
    llm: &ChatAnthropic,
    history: &[(String, String)],
    out: &mut impl Write,
    style: Style,
) -> io::Result<String> {
    let mut view = ReplyView::new(style);
    view.spin(out)?;
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + SPIN_EVERY, SPIN_EVERY);
    let request = llm.stream(history.to_vec());
    tokio::pin!(request);
    let stream = loop {
        tokio::select! {
            stream = &mut request => break stream,
            _ = ticks.tick() => view.spin(out)?,
        }
    };
    let mut updates = match stream {
        Ok(stream) => stream.updates(),
        Err(err) => {
            view.fail(out, &err)?;
            return Ok(view.text);
        }
    };
    loop {
        let update = tokio::select! {
            update = updates.next() => update,
            _ = ticks.tick(), if view.waiting() => {
                view.spin(out)?;
                continue;
            }
        };
        match update {
            Some(Ok(update)) => view.apply(update, out)?,
            Some(Err(err)) => {
                view.fail(out, &err)?;
                break;
            }
            None => break,
        }
        out.flush()?;
    }
    view.finish(out)?;
    Ok(view.text)
}

/// Where the cursor is in the reply, so each kind of content gets its own line and style.
#[derive(Debug, Default, PartialEq)]
enum Section {
    /// Nothing printed yet: the spinner is showing.
    #[default]
    Waiting,
    Thinking(usize),
    Text(usize),
    /// A tool call, and the argument being printed.
    ToolCall(usize, Option<JsonPointer>),
}

/// What has been printed of one reply.
#[derive(Debug)]
struct ReplyView {
    style: Style,
    section: Section,
    frame: usize,
    text: String,
    usage: Option<(u64, u64)>,
    /// The argument being printed ended with a line break, not written yet.
    line_break_due: bool,
}

impl ReplyView {
    fn new(style: Style) -> Self {
        Self {
            style,
            section: Section::default(),
            frame: 0,
            text: String::new(),
            usage: None,
            line_break_due: false,
        }
    }

    fn waiting(&self) -> bool {
        self.section == Section::Waiting
    }

    fn spin(&mut self, out: &mut impl Write) -> io::Result<()> {
        let Style {
            cyan,
            dim,
            reset,
            clear_line,
            spinner,
            ..
        } = self.style;
        if !spinner {
            return Ok(());
        }
        let frame = SPINNER[self.frame % SPINNER.len()];
        self.frame += 1;
        write!(
            out,
            "{clear_line}{cyan}{frame}{reset} {dim}waiting for the model…{reset}"
        )?;
        out.flush()
    }

    /// Moves to `section`: clears the spinner, or ends the previous section's line.
    fn enter(&mut self, section: Section, out: &mut impl Write) -> io::Result<()> {
        let Style {
            dim,
            cyan,
            reset,
            clear_line,
            ..
        } = self.style;
        if self.section == section {
            return Ok(());
        }
        self.line_break_due = false;
        match self.section {
            Section::Waiting => write!(out, "{clear_line}")?,
            _ => writeln!(out, "{reset}")?,
        }
        match &section {
            Section::Thinking(_) => write!(out, "{dim}thinking: ")?,
            Section::ToolCall(_, Some(pointer)) => {
                let name = pointer.strip_prefix('/').unwrap_or(pointer);
                write!(out, "  {cyan}{name}:{reset} ")?
            }
            _ => {}
        }
        self.section = section;
        Ok(())
    }

    fn apply(&mut self, update: StreamUpdate, out: &mut impl Write) -> io::Result<()> {
        let Style {
            bold,
            cyan,
            green,
            red,
            reset,
            ..
        } = self.style;
        match update {
            StreamUpdate::Thinking { index, thinking } => {
                self.enter(Section::Thinking(index), out)?;
                write!(out, "{thinking}")?;
            }
            StreamUpdate::Text { index, text } => {
                self.enter(Section::Text(index), out)?;
                self.text.push_str(&text);
                write!(out, "{text}")?;
            }
            StreamUpdate::ToolCallStarted { index, name, .. } => {
                self.enter(Section::ToolCall(index, None), out)?;
                write!(out, "{cyan}[tool call] {bold}{name}{reset}")?;
            }
            StreamUpdate::ToolArgDelta {
                index,
                pointer,
                text,
            } => {
                self.enter(Section::ToolCall(index, Some(pointer)), out)?;
                self.write_argument(&text, out)?;
            }
            StreamUpdate::ToolArgComplete {
                index,
                pointer,
                value,
            } if !pointer.is_empty() && !matches!(*value, Value::Object(_) | Value::Array(_)) => {
                let streamed = self.section == Section::ToolCall(index, Some(pointer.clone()));
                if !streamed {
                    // A number, a boolean, or a string that arrived whole.
                    self.enter(Section::ToolCall(index, Some(pointer)), out)?;
                    match &*value {
                        Value::String(text) => self.write_argument(text, out)?,
                        other => write!(out, "{other}")?,
                    }
                }
            }
            StreamUpdate::ToolCallDone { index, .. } => {
                self.enter(Section::ToolCall(index, None), out)?;
                write!(out, "  {green}✓ arguments complete{reset}")?;
            }
            StreamUpdate::ToolCallInvalid { index, call } => {
                self.enter(Section::ToolCall(index, None), out)?;
                let error = call.error.unwrap_or_default();
                write!(out, "  {red}✗ invalid arguments: {error}{reset}")?;
            }
            StreamUpdate::MessageDelta { usage, .. } => {
                self.usage = Some((usage.input_tokens, usage.output_tokens));
            }
            _ => {}
        }
        Ok(())
    }

    /// Argument text, each line indented under the argument's name; a line break is
    /// written only when more text follows, so a trailing one leaves no empty line.
    fn write_argument(&mut self, text: &str, out: &mut impl Write) -> io::Result<()> {
        for piece in text.split_inclusive('\n') {
            if std::mem::take(&mut self.line_break_due) {
                write!(out, "\n    ")?;
            }
            let line = piece.strip_suffix('\n');
            self.line_break_due = line.is_some();
            write!(out, "{}", line.unwrap_or(piece))?;
        }
        Ok(())
    }

    fn fail(&mut self, out: &mut impl Write, err: &chat_anthropic::Error) -> io::Result<()> {
        let Style {
            red,
            reset,
            clear_line,
            ..
        } = self.style;
        match self.section {
            Section::Waiting => write!(out, "{clear_line}")?,
            _ => writeln!(out, "{reset}")?,
        }
        writeln!(out, "{red}error: {err}{reset}")?;
        self.section = Section::Waiting;
        out.flush()
    }

    /// Ends the reply with the usage line.
    fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        let Style { dim, reset, .. } = self.style;
        if self.section != Section::Waiting {
            writeln!(out, "{reset}")?;
        }
        if let Some((input, output)) = self.usage {
            writeln!(out, "{dim}usage: {input} in / {output} out{reset}")?;
        }
        out.flush()
    }
}
