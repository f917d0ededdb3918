//! Record a live stream over real HTTP, replay it: the same message, and with the original
//! pacing the same gaps between chunks (within tolerance).

use crate::common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chat_anthropic::{ChatAnthropic, ChatStream, Error, ReplayPace};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::StreamExt;
use serde_json::json;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("recordings");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const GAP: Duration = Duration::from_millis(60);

async fn record(path: &PathBuf) -> (chat_anthropic::AIMessage, Vec<u8>) {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::script(
            MockScript::new()
                .thinking("Plan the answer.", "sig-rec")
                .text("Recorded replies replay exactly.")
                .tool_use("toolu_1", "save", json!({"path": "a.txt", "content": "hi"})),
        )
        .delay(GAP),
    );
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test");
    let live = llm
        .stream_recording("Record this", path)
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    (live, std::fs::read(path).unwrap())
}

/// When each event of a replay arrives, measured from when the replay was opened.
async fn arrival_times(path: &PathBuf, pace: ReplayPace) -> Vec<Duration> {
    let opened = Instant::now();
    let mut stream = ChatStream::replay(path, pace).unwrap();
    let mut times = Vec::new();
    while let Some(event) = stream.next().await {
        event.unwrap();
        times.push(opened.elapsed());
    }
    times
}

#[tokio::test]
async fn a_recorded_stream_replays_to_the_identical_message() {
    let path = scratch("identical.sse");
    let (live, bytes) = record(&path).await;
    assert!(
        bytes.starts_with(b"event: message_start\n"),
        "raw SSE on disk"
    );
    let replayed = ChatStream::replay(&path, ReplayPace::Instant)
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(replayed, live);
    assert_eq!(replayed.tool_calls[0].args["path"], "a.txt");
    let from_bytes = ChatStream::from_sse_bytes(bytes)
        .final_message()
        .await
        .unwrap();
    assert_eq!(from_bytes, live);
}

#[tokio::test]
async fn replay_with_original_timing_keeps_the_gaps() {
    let path = scratch("timed.sse");
    record(&path).await;
    let timing = std::fs::read_to_string(format!("{}.timing", path.display())).unwrap();
    let chunks = timing.lines().count();
    assert!(chunks >= 10, "one line per chunk: {timing}");

    // The recorded arrival times (one event per chunk, GAP apart).
    let recorded: Vec<Duration> = timing
        .lines()
        .map(|line| Duration::from_micros(line.split(' ').nth(1).unwrap().parse().unwrap()))
        .collect();
    assert!(recorded
        .windows(2)
        .all(|w| w[1] - w[0] >= GAP - Duration::from_millis(5)));

    let instant = arrival_times(&path, ReplayPace::Instant).await;
    assert!(
        instant.last().unwrap() < &GAP,
        "instant replay: {instant:?}"
    );

    let timed = arrival_times(&path, ReplayPace::Original).await;
    assert_eq!(timed.len(), recorded.len());
    for (replayed, original) in timed.iter().zip(&recorded) {
        // Never early; late only by scheduling noise.
        assert!(
            replayed >= original && *replayed < *original + Duration::from_millis(250),
            "replayed {timed:?}\nrecorded {recorded:?}"
        );
    }

    let faster = arrival_times(&path, ReplayPace::Faster(4.0)).await;
    let last = *recorded.last().unwrap();
    assert!(*faster.last().unwrap() >= last / 4, "{faster:?}");
    assert!(*faster.last().unwrap() < last / 2, "{faster:?}");
}

#[tokio::test]
async fn replay_errors_are_clear() {
    let missing = ChatStream::replay(scratch("nope.sse"), ReplayPace::Instant).unwrap_err();
    assert!(matches!(missing, Error::Io(_)), "{missing:?}");
    // A fixture has no timing sidecar: pacing it is a clear error, instant replay works.
    let fixture = common::fixtures_dir().join("rig__regression__stop_reason_max_tokens__0.sse");
    let err = ChatStream::replay(&fixture, ReplayPace::Original).unwrap_err();
    assert!(err.to_string().contains("ReplayPace::Instant"), "{err}");
    assert!(ChatStream::replay(&fixture, ReplayPace::Instant).is_ok());
    let err = ChatStream::replay(&fixture, ReplayPace::Faster(0.0)).unwrap_err();
    assert!(matches!(err, Error::Config(_)));
}

#[tokio::test]
async fn a_broken_live_stream_still_leaves_its_bytes_on_disk() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("one two three four five six").drop_after_bytes(700));
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test");
    let path = scratch("broken.sse");
    let err = llm
        .stream_recording("Hi", &path)
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap_err();
    let partial = err.partial_message().expect("the partial message").clone();
    let recorded = std::fs::read(&path).unwrap();
    assert_eq!(recorded.len(), 700);
    let replay_err = ChatStream::replay(&path, ReplayPace::Instant)
        .unwrap()
        .final_message()
        .await
        .unwrap_err();
    assert_eq!(replay_err.partial_message(), Some(&partial));
}
