//! The demo's server: serves the page and relays `POST /chat` to the Messages API.
//!
//! ```text
//! cargo run -p chat-anthropic-wasm-chat -- --build    # build the page, then serve http://127.0.0.1:3001/
//! cargo run -p chat-anthropic-wasm-chat -- --help
//! ```
//!
//! With `ANTHROPIC_API_KEY` set it relays to Anthropic's API; with `--upstream URL` to that
//! Messages API (e.g. `cargo run -p chat-anthropic-mock -- --port 8080 --script replies.jsonl`);
//! otherwise to a mock server it starts in-process, which streams a scripted reply (thinking,
//! text and a `write_file` call whose `content` arrives line by line).

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    native::main().await
}

/// The page is the library; this binary is the native server only.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::PathBuf;
    use std::process::ExitCode;

    use wasm_chat::server::{self, Upstream};

    const USAGE: &str = "usage: wasm-chat [--addr HOST:PORT] [--build] [--pkg DIR] [--upstream URL]

  --addr HOST:PORT  where to listen (default 127.0.0.1:3001)
  --build           build the page first (cargo build --release --target wasm32-unknown-unknown,
                    then wasm-bindgen) into target/wasm-chat
  --pkg DIR         the wasm-bindgen output to serve (default target/wasm-chat/pkg)
  --upstream URL    relay to the Messages API at URL (a mock server); without it, the real
                    API when ANTHROPIC_API_KEY is set, else a mock started in-process";

    struct Args {
        addr: String,
        build: bool,
        pkg: Option<PathBuf>,
        upstream: Option<String>,
    }

    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            addr: "127.0.0.1:3001".into(),
            build: false,
            pkg: None,
            upstream: None,
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--addr" => parsed.addr = value("--addr")?,
                "--build" => parsed.build = true,
                "--pkg" => parsed.pkg = Some(value("--pkg")?.into()),
                "--upstream" => parsed.upstream = Some(value("--upstream")?),
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(parsed)
    }

    pub async fn main() -> ExitCode {
        let args = match parse(std::env::args().skip(1)) {
            Ok(args) => args,
            Err(err) if err.is_empty() => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Err(err) => {
                eprintln!("wasm-chat: {err}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        let pkg = if args.build {
            eprintln!(
                "wasm-chat: building the page into {}",
                server::default_build_dir().display()
            );
            match tokio::task::spawn_blocking(|| {
                server::build_page(&server::default_build_dir(), true)
            })
            .await
            .expect("the build task")
            {
                Ok(pkg) => pkg,
                Err(err) => {
                    eprintln!("wasm-chat: {err}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            args.pkg
                .unwrap_or_else(|| server::default_build_dir().join("pkg"))
        };
        if let Err(missing) = server::check_page(&pkg) {
            eprintln!(
                "wasm-chat: {} is missing: build the page first (add --build, or see the README's \
                 \"A chat page in WebAssembly\")",
                missing.display()
            );
            return ExitCode::FAILURE;
        }
        // The in-process mock lives as long as the server.
        let mut _mock = None;
        let upstream = match (args.upstream, std::env::var("ANTHROPIC_API_KEY")) {
            (Some(url), _) => Upstream::new(url, "mock-key"),
            (None, Ok(key)) if !key.is_empty() => Upstream::anthropic(key),
            _ => {
                let mock = chat_anthropic_mock::MockServer::start().await;
                mock.set_responder(chat_anthropic_mock::ui_demo_reply);
                let upstream = Upstream::new(mock.base_url(), "mock-key");
                _mock = Some(mock);
                upstream
            }
        };
        let listener = match tokio::net::TcpListener::bind(&args.addr).await {
            Ok(listener) => listener,
            Err(err) => {
                eprintln!(
                    "wasm-chat: cannot listen on {}: {err}; choose another with --addr",
                    args.addr
                );
                return ExitCode::FAILURE;
            }
        };
        let addr = listener.local_addr().expect("a bound address");
        eprintln!(
            "wasm-chat: http://{addr}/ (relaying to {}, serving {})",
            upstream.base_url(),
            pkg.display()
        );
        let (app, _stats) = server::app(upstream, pkg);
        match axum::serve(listener, app).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("wasm-chat: {err}");
                ExitCode::FAILURE
            }
        }
    }
}
