//! The mock Messages API as a standalone server, for tests in any language:
//!
//! ```text
//! cargo run -p chat-anthropic-mock -- --port 8080
//! ANTHROPIC_BASE_URL=http://127.0.0.1:8080 ANTHROPIC_API_KEY=any python3 my_test.py
//! ```
//!
//! It answers `POST /v1/messages` (streaming with `"stream": true`, else the JSON message) and
//! `POST /v1/messages/count_tokens`, checks requests the way the API does (a 400 for a body
//! the API refuses, a 404 for a model it does not serve), and replies by naming what the user
//! sent: `Mock reply to: <last user text>`.
//!
//! A request that forces a tool (`tool_choice` `tool` or `any`) gets a call of it with an input
//! generated from the tool's schema; one asking for native structured output gets JSON text
//! generated from its schema.
//!
//! Options: `--host ADDR` (default 127.0.0.1), `--port N` (default 8080; 0 picks a free one),
//! `--any-model` (accept any model name), `--log-limit N` (requests kept in memory, default
//! 1000), `--script FILE` (scripted replies, one JSON object a line: see
//! [`ScriptedReply`](chat_anthropic_mock::ScriptedReply)). Tests script replies while it runs
//! with `POST /mock/replies` and read what it received with `GET /mock/requests`; `--help`
//! lists every endpoint. Stops on Ctrl-C.

use std::path::PathBuf;

use chat_anthropic_mock::{MockServer, ScriptedReply};

/// The command line, parsed.
#[derive(Debug, PartialEq)]
struct Options {
    host: String,
    port: u16,
    any_model: bool,
    log_limit: usize,
    script: Option<PathBuf>,
}

const USAGE: &str = "usage: chat-anthropic-mock [--host ADDR] [--port N] [--any-model] [--log-limit N] [--script FILE]";

/// `--help`: the usage line and what each option does.
const HELP: &str = "A mock of Anthropic's Messages API on a local port, for tests in any language.

  --host ADDR      the address to listen on (default 127.0.0.1)
  --port N         the port (default 8080; 0 picks a free one)
  --any-model      accept any model name (else an unknown model is a 404, as with the API)
  --log-limit N    how many requests to keep in memory (default 1000)
  --script FILE    scripted replies, one JSON object a line, used in order (or, with
                   \"match\": \"text\", by the first request whose last user message contains it):
                     {\"text\": \"Hello!\"}
                     {\"content\": [{\"type\": \"tool_use\", \"name\": \"get_weather\", \"input\": {\"city\": \"Paris\"}}]}
                     {\"content\": [{\"type\": \"thinking\", \"thinking\": \"…\"}, {\"type\": \"text\", \"text\": \"…\"}]}
                     {\"error\": {\"status\": 529, \"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}
                     {\"text\": \"cut short\", \"fault\": {\"drop_after_events\": 3}}
                     {\"match\": \"weather\", \"text\": \"Sunny.\"}
                   With nothing queued it echoes the last user message; a forced tool
                   (tool_choice tool/any) gets a call with an input made from its schema.

Point a client at it: ANTHROPIC_BASE_URL=http://127.0.0.1:8080 ANTHROPIC_API_KEY=any-key.
Stops on Ctrl-C.";

/// The help text: the options, then every endpoint from the server's own table.
fn help() -> String {
    let mut text = format!("{USAGE}\n\n{HELP}\n\nEndpoints:\n");
    for endpoint in MockServer::endpoints() {
        text.push_str(&format!(
            "  {:<7}{}\n           {}\n",
            endpoint.method(),
            endpoint.path(),
            endpoint.description()
        ));
    }
    text
}

/// The options, `None` for `--help`, or what is wrong with the command line.
fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        host: "127.0.0.1".into(),
        port: 8080,
        any_model: false,
        log_limit: 1000,
        script: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--host" => options.host = value("--host")?,
            "--port" => {
                let port = value("--port")?;
                options.port = port
                    .parse()
                    .map_err(|_| format!("--port: {port:?} is not a port number (0-65535)"))?;
            }
            "--log-limit" => {
                let limit = value("--log-limit")?;
                options.log_limit = limit
                    .parse()
                    .map_err(|_| format!("--log-limit: {limit:?} is not a count"))?;
            }
            "--script" => options.script = Some(value("--script")?.into()),
            "--any-model" => options.any_model = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    Ok(Some(options))
}

#[tokio::main]
async fn main() {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", help());
            return;
        }
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let replies = match &options.script {
        Some(path) => match ScriptedReply::read_jsonl(path) {
            Ok(replies) => replies,
            Err(err) => {
                eprintln!("--script: {err}");
                std::process::exit(2);
            }
        },
        None => Vec::new(),
    };
    let started = MockServer::builder()
        .host(options.host.as_str())
        .port(options.port)
        .any_model(options.any_model)
        .request_log_limit(options.log_limit)
        .start()
        .await;
    let server = match started {
        Ok(server) => server,
        Err(err) => {
            eprintln!(
                "cannot listen on {}:{}: {err} (choose another with --port, or --port 0 for a free one)",
                options.host, options.port
            );
            std::process::exit(1);
        }
    };
    if !replies.is_empty() {
        say(format_args!("{} scripted replies queued", replies.len()));
    }
    server.enqueue_scripted(replies);
    say(format_args!(
        "Mock Anthropic Messages API listening on {}",
        server.base_url()
    ));
    say(format_args!(
        "Point a client at it: ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY=any-key. Ctrl-C stops it.",
        server.base_url()
    ));
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C: {err}");
    }
    say(format_args!("{} requests served", server.request_count()));
}

/// A status line on stdout. A closed stdout (the reader of a pipe gone) must not stop the
/// server, as `println!` would by panicking: the line is dropped instead.
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_the_documented_options() {
        let options = parse(args(
            "--port 9000 --host 0.0.0.0 --any-model --log-limit=5 --script r.jsonl",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            options,
            Options {
                host: "0.0.0.0".into(),
                port: 9000,
                any_model: true,
                log_limit: 5,
                script: Some("r.jsonl".into()),
            }
        );
        assert_eq!(parse(args("")).unwrap().unwrap().port, 8080);
        assert_eq!(parse(args("--port 1 --help")), Ok(None));
        assert!(parse(args("--port")).unwrap_err().contains("needs a value"));
        assert!(parse(args("--port 99999")).unwrap_err().contains("port"));
        assert!(parse(args("--verbose"))
            .unwrap_err()
            .contains("unknown option"));
    }
}
