//! Prompt caching: a long system prompt marked with `cache_control` (one-hour TTL) is written
//! to the cache by the first request and read by the next; `usage_metadata` shows both.
//!
//! ```text
//! cargo run --example prompt_caching
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set (the prompt is long enough to be cached),
//! the built-in mock server otherwise (it accounts for the cache the way the API does).

mod common;

use chat_anthropic::{messages::CacheControl, HumanMessage, Message, SystemMessage};
use chat_anthropic_mock::default_reply;
use common::real_or_mock;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", default_reply).await;
    let style_guide: String = (1..=300)
        .map(|n| format!("Rule {n}: prefer plain words, short sentences and concrete examples. "))
        .collect();
    let system = SystemMessage::new(style_guide).with_cache_control(CacheControl::ephemeral_1h());

    for question in [
        "Rewrite: 'utilize the aforementioned methodology'.",
        "Rewrite: 'at this point in time'.",
    ] {
        let conversation: Vec<Message> =
            vec![system.clone().into(), HumanMessage::new(question).into()];
        let reply = llm.invoke(conversation).await?;
        let usage = reply.usage_metadata.clone().unwrap_or_default();
        let cache = &usage.input_token_details;
        // LangChain's details count each cache write once: split by TTL when the API splits
        // it (then `cache_creation`, the unsplit remainder, is 0), so their sum is the API's
        // `cache_creation_input_tokens`.
        let (five_min, one_hour) = (
            cache.ephemeral_5m_input_tokens.unwrap_or(0),
            cache.ephemeral_1h_input_tokens.unwrap_or(0),
        );
        let unsplit = cache.cache_creation.unwrap_or(0);
        println!("{question}\n  → {}", reply.text());
        println!(
            "  input {} tokens: written to the cache {} (5-minute TTL {five_min}, 1-hour TTL \
             {one_hour}, TTL not reported {unsplit}), read from the cache {}; output {}\n",
            usage.input_tokens,
            five_min + one_hour + unsplit,
            cache.cache_read.unwrap_or(0),
            usage.output_tokens,
        );
    }
    Ok(())
}
