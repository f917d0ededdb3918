//! A chat page whose logic is `chat-anthropic`'s pipeline compiled to WebAssembly.
//!
//! The browser POSTs a prompt to this crate's server, which relays the Messages API's raw
//! event stream (the key stays on the server); the page reads the fetch body as a stream and
//! folds it with the crate's SSE decoder, typed events, fold and partial-JSON parser
//! (`chat-anthropic` without its client), rendering text and each tool argument as they
//! arrive. Stop aborts the fetch and keeps what was shown.
//!
//! - [`fold`]: one reply, bytes in, updates and end state out (both targets; tested natively).
//! - `page` (wasm32): the DOM, `fetch`, the stream reader, the Stop button.
//! - `server` (native): the axum app (page, `wasm-bindgen` output, relay) and the page's build.
//!
//! How to build and run it: the workspace README, "A chat page in WebAssembly".

pub mod fold;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
