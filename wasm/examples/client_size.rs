//! The client as a page ships it, for its size (BENCHMARKS.md, "The client as WebAssembly"):
//! one export that streams a reply from Anthropic's API over the browser's `fetch`, directly
//! with a key the user typed (README: "In the browser"), handing each piece of text to a
//! JavaScript callback, and returns the whole text.
//!
//! ```sh
//! cargo build --release --target wasm32-unknown-unknown -p chat-anthropic-wasm --example client_size
//! ```
#![cfg(target_arch = "wasm32")]

use chat_anthropic::ChatAnthropic;
use futures_util::StreamExt;
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

/// Streams the reply to `prompt`, calling `on_text(piece)` for each piece; the whole text, or
/// the error's text.
#[wasm_bindgen]
pub async fn stream_reply(
    base_url: String,
    api_key: String,
    model: String,
    prompt: String,
    on_text: js_sys::Function,
) -> Result<String, String> {
    let llm = ChatAnthropic::new(model)
        .base_url(base_url)
        .api_key(api_key)
        .dangerous_direct_browser_access(true);
    let mut pieces = llm.stream(prompt).await.map_err(|e| e.to_string())?.text();
    let mut text = String::new();
    while let Some(piece) = pieces.next().await {
        let piece = piece.map_err(|e| e.to_string())?;
        let _ = on_text.call1(&JsValue::NULL, &JsValue::from_str(&piece));
        text.push_str(&piece);
    }
    Ok(text)
}
