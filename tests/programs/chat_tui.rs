//! `examples/chat_tui.rs` under a pseudo-terminal: a line typed at the terminal, the screen
//! read through a terminal emulator as the reply streams (spinner first, then thinking,
//! text, the tool call's fields, the usage line), and Ctrl-D ending the session.
//! The last screen is kept as `<target>/tmp/chat_tui_screen.txt`.

#[path = "../../examples/chat_tui.rs"]
#[allow(dead_code, clippy::module_inception)]
mod chat_tui;

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{ui_demo_reply, MockServer};
use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};

const ROWS: u16 = 30;
const COLS: u16 = 100;

/// A pseudo-terminal: the controller side (what a terminal emulator holds) and the device
/// the program reads and writes.
fn open_pty() -> (File, File) {
    let controller = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pty");
    grantpt(&controller).expect("grantpt");
    unlockpt(&controller).expect("unlockpt");
    let name = ptsname(&controller, Vec::new()).expect("ptsname");
    let device = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(std::ffi::OsStr::from_bytes(name.as_bytes()))
        .expect("the pty device opens");
    (File::from(controller), device)
}

/// The terminal: renders what the program writes, screen by screen. It owns the only handle
/// on the controller side, so if the test fails the pty hangs up and the program's pending
/// read ends (nothing is left blocking the runtime's shutdown).
struct Terminal {
    /// Non-blocking: polled, so no thread or blocking read holds it.
    controller: File,
    parser: vt100::Parser,
    /// Every screen shown so far, one per read.
    screens: Vec<String>,
}

impl Terminal {
    fn new(controller: File) -> Self {
        rustix::io::ioctl_fionbio(&controller, true).expect("a non-blocking controller");
        let size = |n| NonZeroU16::new(n).expect("non-zero");
        Self {
            controller,
            parser: vt100::Parser::new(size(ROWS), size(COLS), 0),
            screens: Vec::new(),
        }
    }

    /// Types at the keyboard.
    fn type_keys(&self, keys: &[u8]) {
        (&self.controller)
            .write_all(keys)
            .expect("typed at the terminal");
    }

    /// The next bytes the program wrote.
    async fn read_some(&self) -> Vec<u8> {
        let mut buffer = [0u8; 4096];
        loop {
            match (&self.controller).read(&mut buffer) {
                Ok(n) => return buffer[..n].to_vec(),
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                    tokio::time::sleep(Duration::from_millis(2)).await
                }
                Err(err) => panic!("reading the terminal: {err}"),
            }
        }
    }

    /// Renders output until the screen satisfies `done`; fails after `timeout`.
    async fn wait_for(&mut self, what: &str, done: impl Fn(&str) -> bool, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        while !self.screens.last().is_some_and(|screen| done(screen)) {
            let Ok(bytes) = tokio::time::timeout_at(deadline, self.read_some()).await else {
                panic!(
                    "timed out waiting for {what}; the screen:\n{}",
                    self.parser.screen().contents()
                );
            };
            self.parser.process(&bytes);
            self.screens.push(self.parser.screen().contents());
        }
    }

    /// The first screen (by position) that satisfies `seen`.
    fn first(&self, seen: impl Fn(&str) -> bool) -> Option<usize> {
        self.screens.iter().position(|screen| seen(screen))
    }

    /// Whether the first cell of the row holding `text` is dimmed.
    fn dimmed(&self, text: &str) -> bool {
        let screen = self.parser.screen();
        let row = screen
            .rows(0, COLS)
            .position(|line| line.contains(text))
            .unwrap_or_else(|| panic!("{text:?} is not on the screen"));
        let row = u16::try_from(row).expect("a row on screen");
        screen.cell(row, 0).is_some_and(|cell| cell.dim())
    }
}

fn has_spinner(screen: &str) -> bool {
    screen.contains("waiting for the model") && screen.chars().any(|c| ('⠀'..='⣿').contains(&c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reply_streams_into_the_terminal_after_a_spinner() {
    let started = Instant::now();
    let mock = MockServer::start().await;
    mock.set_responder(ui_demo_reply);
    let llm = chat_tui::configure(
        ChatAnthropic::new("claude-sonnet-4-6")
            .base_url(mock.base_url())
            .api_key("test-key"),
    );

    let (controller, device) = open_pty();
    let mut terminal = Terminal::new(controller);
    let input = tokio::fs::File::from_std(device.try_clone().expect("the device, to read"));
    let session = tokio::spawn(async move {
        chat_tui::run(
            &llm,
            tokio::io::BufReader::new(input),
            device,
            chat_tui::Style::TERMINAL,
        )
        .await
    });

    terminal
        .wait_for(
            "the prompt",
            |s| s.starts_with("> "),
            Duration::from_secs(5),
        )
        .await;
    terminal.type_keys(b"Hello from a pty\r");
    terminal
        .wait_for(
            "the usage line and the next prompt",
            |s| s.contains("usage: ") && s.trim_end().ends_with('>'),
            Duration::from_secs(15),
        )
        .await;

    let spinner = terminal
        .first(has_spinner)
        .expect("a spinner frame was shown");
    let thinking = terminal
        .first(|s| s.contains("thinking: The user wrote"))
        .expect("thinking was shown");
    let text = terminal
        .first(|s| s.contains("You said \u{201c}Hello from a pty\u{201d}"))
        .expect("the reply text was shown");
    assert!(
        spinner < thinking && thinking < text,
        "spinner (screen {spinner}), then thinking ({thinking}), then text ({text})"
    );
    let text_steps = terminal.screens[thinking..]
        .iter()
        .map(|s| s.len())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(text_steps > 5, "the reply arrived in {text_steps} screens");

    let screen = terminal.parser.screen().contents();
    assert!(
        !has_spinner(&screen),
        "the spinner is gone once tokens arrive"
    );
    assert!(terminal.dimmed("thinking: "), "thinking is dimmed");
    for expected in [
        "> Hello from a pty", // the terminal echoed what was typed
        "[tool call] write_file",
        "  path: poem.txt",
        "  content: Bytes on the wire,",
        "    lets go of the connection.",
        "  ✓ arguments complete",
    ] {
        assert!(
            screen.lines().any(|line| line.starts_with(expected)),
            "{expected:?} missing from:\n{screen}"
        );
    }
    let usage = screen
        .lines()
        .find(|line| line.starts_with("usage: "))
        .expect("a usage line");
    let counts: Vec<u64> = usage
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        usage.ends_with(" out") && counts.len() == 2 && counts.iter().all(|&n| n > 0),
        "{usage}"
    );

    // Ctrl-D at the prompt: end of input, the session ends.
    terminal.type_keys(&[4]); // Ctrl-D
    let ended = tokio::time::timeout(Duration::from_secs(5), session)
        .await
        .expect("the session ends at end of input");
    ended.expect("no panic").expect("no I/O error");

    let artifact = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("chat_tui_screen.txt");
    std::fs::write(&artifact, &screen).expect("screen saved");
    eprintln!(
        "chat_tui: {:?}, {} screens, last one in {}",
        started.elapsed(),
        terminal.screens.len(),
        artifact.display()
    );
}
