//! The examples as built programs: their output in a pipe, the terminal chat under a
//! pseudo-terminal, the browser chat in headless Chromium. One binary for all of them.

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
mod example_output;
mod sse_to_message;
mod web_chat_browser;
