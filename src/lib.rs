//! A streaming-first client for Anthropic's Messages API: the Rust counterpart of
//! LangChain's `ChatAnthropic`, in which everything is a `Stream`.
//!
//! # Start here
//!
//! [`ChatAnthropic`] holds the settings; [`invoke`](ChatAnthropic::invoke) returns the whole
//! reply as an [`AIMessage`], [`stream`](ChatAnthropic::stream) returns it as it arrives (a
//! [`ChatStream`]). A whole program (it needs `tokio` with the `macros` and
//! `rt-multi-thread` features, and `futures-util`, in your `Cargo.toml`):
//!
//! ```no_run
//! use chat_anthropic::ChatAnthropic;
//! use futures_util::StreamExt;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), chat_anthropic::Error> {
//!     // The key comes from ANTHROPIC_API_KEY unless given with `.api_key(…)`.
//!     let llm = ChatAnthropic::new("claude-sonnet-4-6").max_tokens(1024);
//!
//!     let reply = llm
//!         .invoke([("system", "Translate to French."), ("human", "I love programming.")])
//!         .await?;
//!     println!("{}", reply.text());
//!
//!     let mut pieces = llm.stream("Tell me a joke").await?.text();
//!     while let Some(piece) = pieces.next().await {
//!         print!("{}", piece?);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! `cargo run --example quickstart` runs the same walkthrough offline, against the
//! workspace's mock Messages server (the `chat-anthropic-mock` crate, in `mock/`), when
//! `ANTHROPIC_API_KEY` is not set.
//!
//! # What is where
//!
//! The crate root holds what chat, tools and streaming need: [`ChatAnthropic`], the messages
//! you build and read ([`HumanMessage`], [`SystemMessage`], [`ToolMessage`], [`Message`],
//! [`MessageContent`], [`AIMessage`] with its [`ContentBlock`]s, [`ToolCall`]s,
//! [`UsageMetadata`] and [`StopReason`]), [`Tool`] and [`ToolChoice`], the stream
//! ([`ChatStream`], its views [`ChunkStream`] and [`UpdateStream`], what they yield:
//! [`StreamEvent`], [`AIMessageChunk`], [`StreamUpdate`]; [`ReplayPace`] for replays) and
//! [`Error`]. Everything else lives in its area's module: settings and model profiles in
//! [`settings`], the error details in [`error`], the other content blocks and usage details in
//! [`messages`], the raw events in [`event`], the fold in [`aggregate`], templates in
//! [`prompt`], and each feature's area ([`agent`], [`batches`], [`files`], [`models`],
//! [`web`], [`credentials`], [`telemetry`], …) in its own.
//!
//! # The pipeline
//!
//! The modules read in the order the bytes flow; [`invoke`](ChatAnthropic::invoke) is the
//! same stream, folded, never a second code path:
//!
//! ```text
//! HTTP body bytes ─► sse            SSE decoder (hand-written, zero-copy)     sse::SseStream
//!                 ─► event          typed events (message_start, deltas, …)   EventStream
//!                 ─► aggregate      the fold, one event at a time             MessageAggregator
//!                      └ partial_json   tool input parsed as it streams        partial_json::PartialJsonParser
//!                 ─► messages       the reply: content, tool_calls, usage     AIMessage
//! ```
//!
//! # The layers
//!
//! The top-level modules are layers, bottom first; a module names only modules below it (a
//! test, `tests/stream/layers.rs`, fails on any that names one above). The order is the pipeline's,
//! with the vocabulary every stage speaks (messages, errors) beneath the stages that carry it.
//! The mock server the tests run against is not a layer: it is a crate of its own
//! (`chat-anthropic-mock`), which shares no code with this one.
//!
//! | layer | modules | holds |
//! |---|---|---|
//! | wire | [`sse`], [`partial_json`] | the incremental SSE decoder; the partial-JSON parser behind live tool arguments |
//! | vocabulary | [`messages`], [`error`] | messages, content blocks, [`AIMessage`], usage; one [`Error`] (areas' errors boxed in [`Error::Area`]) |
//! | events | [`event`] | typed stream events and deltas; unknown types kept as raw JSON |
//! | fold | [`aggregate`] | the fold ([`MessageAggregator`](aggregate::MessageAggregator)) and the stream's vocabulary ([`StreamUpdate`]) |
//! | request | [`settings`], [`tools`], request | [`ChatAnthropicConfig`](settings::ChatAnthropicConfig) and model profiles; tool definitions; the request body and its checks |
//! | transport | [`telemetry`], transport | spans and metrics; reqwest, timeouts, retries, error responses |
//! | client | [`bedrock`], [`credentials`], [`ChatStream`], [`ChatAnthropic`] | platforms and credentials; the live response; the client |
//! | areas | [`pagination`], [`structured`], [`prompt`], [`web`], [`batches`], [`files`], [`models`], [`agent`] | built on the client, none named below |
//! | composition | [`compose`] | models that wrap models, each a chat model that streams: fallbacks, retry policies, run configuration |
//!
//! # Reading a stream
//!
//! A [`ChatStream`] is a `Stream` of typed [`StreamEvent`]s that folds every event as it
//! passes, and it has three views: [`text`](ChatStream::text) (the text pieces),
//! [`chunks`](ChatStream::chunks) (LangChain's [`AIMessageChunk`]s, which add up to the
//! message) and [`updates`](ChatStream::updates) ([`StreamUpdate`]s: text, thinking, and tool
//! calls spelled out field by field, so a tool can run before the message ends). The examples
//! below replay a reply recorded from the real API
//! ([`ChatStream::replay`]); a live [`stream`](ChatAnthropic::stream) reads the same way.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
//! use chat_anthropic::{ChatStream, ReplayPace};
//! use futures_util::StreamExt;
//!
//! let recorded = "tests/fixtures/recorded/genai__usage_stream__0.sse";
//! let mut pieces = ChatStream::replay(recorded, ReplayPace::Instant)?.text();
//! let mut text = String::new();
//! while let Some(piece) = pieces.next().await {
//!     text.push_str(&piece?);
//! }
//! assert!(text.starts_with("The sky is blue"));
//! # Ok(()) }
//! ```
//!
//! Tool calls stream too: LangChain's `tool_call_chunks` arrive piece by piece, and the sum
//! of the chunks so far reads as the arguments received so far.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
//! use chat_anthropic::{AIMessageChunk, ChatStream, ReplayPace};
//! use futures_util::StreamExt;
//!
//! let recorded = "tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse";
//! let mut chunks = ChatStream::replay(recorded, ReplayPace::Instant)?.chunks();
//! let mut sum = AIMessageChunk::default();
//! while let Some(chunk) = chunks.next().await {
//!     sum += chunk?;
//! }
//! let calls = sum.tool_calls();
//! assert_eq!(calls[0].name, "plan_trip");
//! assert_eq!(calls, sum.into_message().tool_calls);
//! # Ok(()) }
//! ```
//!
//! # Where next
//!
//! - Tools and structured output: [`Tool`], [`ChatAnthropic::bind_tools`],
//!   [`ChatAnthropic::with_structured_output`].
//! - Prompt templates and `prompt | llm` chains: [`ChatPromptTemplate`](prompt::ChatPromptTemplate).
//! - A reply streamed into a browser with one call: [`web`].
//! - Record a live stream and replay it in tests: [`ChatAnthropic::stream_recording`],
//!   [`ChatStream::replay`].
//! - Fold events yourself (from a file, a queue, another transport):
//!   [`MessageAggregator`](aggregate::MessageAggregator), [`collect_message`](aggregate::collect_message).
//! - The repository's `README.md` shows every feature with its settings, and `examples/`
//!   holds runnable programs (each works offline against the mock server).
//! - Test your own code against a local mock of the API: the `chat-anthropic-mock` crate.

#[cfg(feature = "agent")]
pub mod agent;
pub mod aggregate;
#[cfg(feature = "batches")]
pub mod batches;
#[cfg(feature = "bedrock")]
pub mod bedrock;
#[cfg(feature = "client")]
mod chat_model;
#[cfg(feature = "client")]
mod chat_stream;
#[cfg(feature = "client")]
mod clock;
// Models that wrap models (fallbacks, retry policies, run configuration): above every layer.
#[cfg(feature = "client")]
pub mod compose;
#[cfg(feature = "client")]
pub mod credentials;
pub mod error;
pub mod event;
#[cfg(feature = "files")]
pub mod files;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod messages;
#[cfg(feature = "client")]
pub mod models;
#[cfg(feature = "client")]
pub mod pagination;
pub mod partial_json;
#[cfg(feature = "client")]
pub mod prompt;
#[cfg(feature = "client")]
mod request;
#[cfg(feature = "client")]
pub mod settings;
pub mod sse;
#[cfg(feature = "structured")]
pub mod structured;
#[cfg(feature = "client")]
pub mod telemetry;
#[cfg(feature = "client")]
pub mod tools;
#[cfg(feature = "client")]
mod transport;
#[cfg(feature = "web")]
pub mod web;

// The front door: what chat, tools and streaming need. Everything else is reached through
// its area's module (`settings`, `error`, `event`, `messages`, `aggregate`, `prompt`, …).
pub use aggregate::StreamUpdate;
#[cfg(feature = "client")]
pub use chat_model::ChatAnthropic;
#[cfg(feature = "client")]
pub use chat_stream::{ChatStream, ChunkStream, ReplayPace, UpdateStream};
pub use error::Error;
pub use event::StreamEvent;
pub use messages::{
    AIMessage, AIMessageChunk, ContentBlock, HumanMessage, Message, MessageContent, StopReason,
    SystemMessage, ToolCall, ToolMessage, UsageMetadata,
};
#[cfg(feature = "client")]
pub use tools::{Tool, ToolChoice};

// The client in the browser (wasm32-unknown-unknown, README: "In the browser"): what needs
// a runtime, sockets, processes or files on disk cannot exist there, and says so when built.
#[cfg(all(target_arch = "wasm32", feature = "client"))]
mod wasm32_features {
    macro_rules! not_in_the_browser {
        ($($feature:literal: $why:literal;)*) => {$(
            #[cfg(feature = $feature)]
            compile_error!(concat!(
                "chat-anthropic: the `", $feature, "` feature cannot build for wasm32 (", $why,
                "); in the browser use `default-features = false, features = [\"client\", \"structured\"]` \
                 (README: \"In the browser\")"
            ));
        )*};
    }
    not_in_the_browser! {
        "rustls": "the browser's fetch does TLS";
        "rustls-aws-lc": "the browser's fetch does TLS";
        "native-tls": "the browser's fetch does TLS";
        "vertex": "Vertex AI's refreshing credentials read gcloud's files and run commands; give a token with `vertex_access_token`";
        "bedrock": "Bedrock's credentials come from AWS files, processes and SDK runtimes";
        "files": "uploads read files from disk";
        "batches": "a batch's body is a streamed upload, which reqwest over fetch does not send";
        "agent": "the agent runs tools as tokio tasks, which need tokio's runtime";
        "client-tools": "the client tools run processes and write files";
        "mcp": "MCP servers run as child processes";
        "web": "axum serves HTTP from a server, not a page";
        "history-sqlite": "SQLite is C code on a file";
        "cache-sqlite": "SQLite is C code on a file";
        "cache-redis": "Redis needs sockets";
    }
    // The client's fetch futures are made `Send` on the understanding that wasm32 runs one
    // thread (src/transport/local.rs).
    #[cfg(target_feature = "atomics")]
    compile_error!(
        "chat-anthropic: the client in wasm32 runs on one thread; build without the `atomics` target feature"
    );
}

/// The README's examples, compiled as doc tests so they cannot rot (they use every area:
/// the README's test command passes `--all-features`).
#[cfg(all(doctest, feature = "full"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
