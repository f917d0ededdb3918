//! Images in a user turn: base64 bytes, a URL, and LangChain's `image_url` form with a data
//! URL, streamed back token by token.
//!
//! ```text
//! cargo run --example images
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise (it
//! names the images it received).

mod common;

use std::io::Write;

use chat_anthropic::{messages::ImageBlock, ContentBlock, HumanMessage};
use chat_anthropic_mock::default_reply;
use common::real_or_mock;
use futures_util::StreamExt;

/// A 1×1 red PNG.
const RED_DOT_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", default_reply).await;

    // LangChain code often builds images as OpenAI-style `image_url` blocks; they convert.
    let langchain_style: ContentBlock = serde_json::from_value(serde_json::json!({
        "type": "image_url",
        "image_url": {"url": format!("data:image/png;base64,{RED_DOT_PNG}")},
    }))?;
    let message = HumanMessage::new(vec![
        ContentBlock::text("Describe each image in one short sentence."),
        ImageBlock::base64("image/png", RED_DOT_PNG)?.into(),
        ImageBlock::url("https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg").into(),
        langchain_style,
    ]);

    let mut text = llm.stream(message).await?.text();
    while let Some(piece) = text.next().await {
        print!("{}", piece?);
        std::io::stdout().flush()?;
    }
    println!();

    // A media type the API does not take is refused before anything is sent.
    let bmp = ImageBlock::base64("image/bmp", "Qk0=").unwrap_err();
    println!("\nrefused locally: {bmp}");
    Ok(())
}
