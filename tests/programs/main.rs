//! The examples as built programs: their output in a pipe, the terminal chat under a
//! pseudo-terminal, the browser chat in headless Chromium; and the official Python SDK against
//! the mock server. One binary for all of them.
//!
//! Tests that need a tool from outside Rust (Chromium and chromedriver, Python with the
//! `anthropic` package) are `#[ignore]`d with the reason, so that the summary counts them as
//! not run where the tool is missing; `-- --include-ignored` runs them (CI does), and then a
//! missing tool fails the test with how to install it.

// The terminal and browser examples are modules here, each with its own `mod common;` as in its
// own binary.
#![allow(clippy::duplicate_mod)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../example_bin/mod.rs"]
mod example_bin;
#[path = "../webdriver/mod.rs"]
mod webdriver;

mod chat_tui;
// A coding agent with the client tools (text editor, bash, memory) fixing a bug.
#[cfg(all(feature = "client-tools", unix))]
mod coding_agent;
mod example_output;
mod python_sdk;
mod sse_to_message;
mod web_chat_browser;
// The web chat page showing the coding agent's run (examples/web_chat.rs --coding-agent).
#[cfg(all(feature = "client-tools", unix))]
mod web_chat_coding;
