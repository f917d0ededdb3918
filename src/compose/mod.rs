//! Composition: models that wrap models, each itself a chat model that streams.
//!
//! [`ChatModel`] is the one interface: [`ChatAnthropic`](crate::ChatAnthropic) implements it,
//! and so does every wrapper, so wrappers nest (`llm.with_retry(policy).with_fallbacks([...])`)
//! and each hands out the crate's [`ChatStream`](crate::ChatStream) with all its views.
//! [`ChatModelExt`] gives every model the convenient calls (`invoke`, `stream`, `batch`, and
//! the `_with` forms taking a [`RunConfig`]) and the wrappers:
//!
//! | wrapper | LangChain | does |
//! |---|---|---|
//! | [`WithFallbacks`] | `with_fallbacks` | an ordered list of models tried in turn on the errors an [`ErrorFilter`] names; in a stream only before content |
//! | [`WithRetry`] | `with_retry` | a [`RetryPolicy`] (attempts, back-off with jitter, which errors) per call and per batch item |
//! | [`WithConfig`] | `with_config` | a bound [`RunConfig`]: run name, tags and metadata on the telemetry span; batch concurrency |
//! | [`WithTrimming`] | `trim_messages` before the model | the input cut to a token budget ([`trim_messages`]), tool calls kept with their results |
//! | `history::WithHistory` (feature `history`) | `RunnableWithMessageHistory` | a session's stored conversation sent before each turn, the turn and its reply appended once streamed |
//!
//! | [`WithCache`](cache::WithCache) (feature `cache`) | `set_llm_cache` | a response cache: a request seen before is replayed from a [store](cache::CacheStore) (memory, SQLite, Redis) as a stream |
//!
//! `prompt | model` works for each wrapper too ([`PromptChain`]).
//!
//! The API's own fallback on refusals is here too: [`ServerFallback`] (the `fallbacks`
//! request field, through [`ChatAnthropic::server_fallbacks`](crate::ChatAnthropic::server_fallbacks))
//! and [`FallbackBlock`] (the `fallback` block that marks a hand-over in the reply).
//!
//! # Writing a wrapper
//!
//! Implement [`ChatModel::stream_run`] (and [`name`](ChatModel::name)); `invoke_run` and
//! `batch_run` follow. A wrapper that calls the model it wraps returns that model's stream,
//! or a [`ChatStream::from_events`](crate::ChatStream::from_events) over events it holds: a
//! response cache stores a reply's [`StreamEvent`](crate::StreamEvent)s (they serialize) and
//! replays them as a stream that reads like the live one for `stream()`, `updates()` and
//! `invoke()`; a chat history prepends the stored turns to `messages` and appends the reply
//! once its stream has ended.

#[cfg(feature = "cache")]
pub mod cache;
mod chain;
mod errors;
mod fallbacks;
mod model;
mod open;
mod retry;
mod run_config;
mod server_fallback;
#[cfg(feature = "structured")]
mod structured;
mod with_config;
// Conversations that outlive a call, and trimming them to a token budget.
#[cfg(feature = "history")]
pub mod history;
mod trim;
pub use trim::{
    approximate_tokens, trim_messages, trim_messages_async, trim_messages_counted,
    trim_messages_with, TrimOptions, TrimStrategy, WithTrimming, APPROXIMATE_MESSAGE_OVERHEAD,
};

pub use chain::PromptChain;
pub use errors::ErrorFilter;
pub use fallbacks::WithFallbacks;
pub use model::{ChatModel, ChatModelExt};
pub use retry::{RetryPolicy, WithRetry};
pub use run_config::RunConfig;
pub use server_fallback::{FallbackBlock, FallbackModel, ServerFallback};
#[cfg(feature = "structured")]
pub use structured::StructuredFallbacks;
pub use with_config::WithConfig;
