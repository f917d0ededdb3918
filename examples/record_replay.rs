//! Record a live stream to disk while printing it, then replay the recording: instantly (for
//! tests) and with its original pacing (for demos and UI tests).
//!
//! ```text
//! cargo run --example record_replay [-- PATH.sse]
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise (its
//! reply arrives a word every 40 ms, so the pacing is visible).

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use chat_anthropic::{ChatStream, ReplayPace};
use chat_anthropic_mock::MockReply;
use common::real_or_mock;
use futures_util::StreamExt;

async fn print_text(stream: ChatStream) -> Result<(), chat_anthropic::Error> {
    let mut text = stream.text();
    while let Some(piece) = text.next().await {
        print!("{}", piece?);
        let _ = std::io::stdout().flush();
    }
    println!();
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/recordings/haiku.sse".into());
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", |_| {
        MockReply::text(
            "Bytes on the wire, / a stream folded into words, / played back just the same.",
        )
        .delay(Duration::from_millis(40))
    })
    .await;

    let started = Instant::now();
    print_text(
        llm.stream_recording("Write a haiku about replaying recordings.", &path)
            .await?,
    )
    .await?;
    println!("live, recorded to {path}: {:.2?}\n", started.elapsed());

    let started = Instant::now();
    print_text(ChatStream::replay(&path, ReplayPace::Instant)?).await?;
    println!("instant replay: {:.2?}\n", started.elapsed());

    let started = Instant::now();
    print_text(ChatStream::replay(&path, ReplayPace::Original)?).await?;
    println!("replay with the original timing: {:.2?}", started.elapsed());
    Ok(())
}
