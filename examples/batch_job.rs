//! A Message Batches job: 1,000 prompts submitted as one batch, a progress bar while it
//! runs, the results streamed to a JSONL file as they are decoded.
//!
//! ```text
//! cargo run --example batch_job --features batches [OUT.jsonl]
//! ```
//!
//! Runs offline against the crate's mock server (the batch takes a few seconds to "process",
//! a few requests are scripted to error or expire); point `base_url` at the real API and set
//! a key to run it for real.

use std::io::Write;
use std::time::Duration;

use chat_anthropic::batches::{BatchOutcome, BatchRequest, WaitOptions};
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockBatchOutcome, MockReply, MockServer};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};

const REQUESTS: usize = 1_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("batch_job_results.jsonl"));

    let server = MockServer::start().await;
    server.set_batch_processing_time(Duration::from_secs(3));
    server.batch_outcome(
        "q-0007",
        MockReply::error(500, "api_error", "Internal server error"),
    );
    server.batch_outcome("q-0042", MockBatchOutcome::Expired);

    let llm = ChatAnthropic::new("claude-haiku-4-5")
        .max_tokens(256)
        .base_url(server.base_url())
        .api_key("test-key");
    let batches = llm.batches();

    let requests = (0..REQUESTS).map(|i| {
        BatchRequest::new(
            format!("q-{i:04}"),
            format!("Write a one-line product description for item #{i}."),
        )
    });
    let mut job = batches.submit(requests).await?;
    println!(
        "submitted {} request(s) in {} batch(es): {}",
        REQUESTS,
        job.batches().len(),
        job.batches()[0].id
    );

    let bar = ProgressBar::new(REQUESTS as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")?
            .progress_chars("=> "),
    );
    let options = WaitOptions::default()
        .interval(Duration::from_millis(200))
        .max_interval(Duration::from_secs(2));
    job.wait(options, |counts| {
        bar.set_position(counts.finished());
        bar.set_message(format!(
            "{} processing, {} succeeded, {} errored",
            counts.processing, counts.succeeded, counts.errored
        ));
    })
    .await?;
    bar.finish_with_message("ended");

    // Results are decoded line by line as they arrive and written straight out.
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    let mut results = job.results();
    let (mut succeeded, mut failed) = (0, 0);
    while let Some(result) = results.next().await {
        let (custom_id, outcome) = result?;
        let line = match &outcome {
            BatchOutcome::Succeeded(reply) => {
                succeeded += 1;
                serde_json::json!({"custom_id": custom_id, "type": "succeeded", "text": reply.text(),
                    "usage": reply.usage_metadata})
            }
            BatchOutcome::Errored(error) => {
                failed += 1;
                serde_json::json!({"custom_id": custom_id, "type": "errored", "error": error.to_string()})
            }
            other => {
                failed += 1;
                serde_json::json!({"custom_id": custom_id, "type": other.kind()})
            }
        };
        writeln!(file, "{line}")?;
    }
    file.flush()?;
    println!(
        "{succeeded} succeeded, {failed} did not; results in {}",
        out.display()
    );
    Ok(())
}
