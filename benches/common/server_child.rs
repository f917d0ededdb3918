//! A mock server in a child process, so a bench measures the client alone: the bench binary
//! starts itself again with an environment variable set, and that child serves. The child
//! prints its base URL as its first line, may answer one-line questions on stdin, and stops
//! when its stdin closes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The running child; it stops when this is dropped.
pub struct ServerChild {
    child: Child,
    commands: Option<ChildStdin>,
    answers: BufReader<ChildStdout>,
    /// The URL the child serves on.
    pub base_url: String,
}

impl ServerChild {
    /// Starts this binary again with `env` set to `1`; reads the base URL it prints.
    pub fn start(env: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("bench binary path"))
            .env(env, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the mock server process");
        let commands = child.stdin.take();
        let mut answers = BufReader::new(child.stdout.take().expect("piped"));
        let mut base_url = String::new();
        answers.read_line(&mut base_url).expect("server URL");
        Self {
            child,
            commands,
            answers,
            base_url: base_url.trim().to_owned(),
        }
    }

    /// Sends the child one line and reads its one-line answer.
    #[allow(dead_code)] // not every bench asks
    pub fn ask(&mut self, question: &str) -> String {
        let commands = self.commands.as_mut().expect("the child's stdin");
        writeln!(commands, "{question}").expect("server stdin");
        let mut line = String::new();
        self.answers.read_line(&mut line).expect("server answer");
        line
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        drop(self.commands.take());
        let _ = self.child.wait();
    }
}
