//! Replay: a recorded `.sse` file (or any SSE bytes) as a [`ChatStream`], instantly or with
//! the recording's original pacing.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;

use super::record::timing_path;
use super::ChatStream;
use crate::aggregate::MessageAggregator;
use crate::error::{ConfigReason, Error};
use crate::transport::Body;

/// How fast a recording plays back.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ReplayPace {
    /// All at once: for tests that only care about content.
    Instant,
    /// Each chunk when it originally arrived (needs the `.timing` file a recording writes).
    Original,
    /// The original pacing sped up by this factor (2.0 plays twice as fast).
    Faster(f64),
}

impl ChatStream {
    /// A recorded stream as a live one: the same type, the same fold, the same views
    /// ([`text`](Self::text), [`updates`](Self::updates), …), so an app can be tested
    /// deterministically against real replies. `path` is a `.sse` file; with a pace other
    /// than [`ReplayPace::Instant`] its `.timing` sidecar (written by
    /// [`ChatAnthropic::stream_recording`](crate::ChatAnthropic::stream_recording)) sets when
    /// each chunk arrives.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::{ChatStream, ReplayPace};
    /// let path = "tests/fixtures/recorded/rig__streaming_grammar__parallel_tool_use__0.sse";
    /// let reply = ChatStream::replay(path, ReplayPace::Instant)?.final_message().await?;
    /// assert_eq!(reply.tool_calls.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn replay(path: impl AsRef<Path>, pace: ReplayPace) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = Bytes::from(std::fs::read(path)?);
        let body: Body = match pace {
            ReplayPace::Instant => instant(bytes),
            ReplayPace::Original => paced(bytes, &read_timing(path)?, 1.0),
            ReplayPace::Faster(factor) if factor > 0.0 && factor.is_finite() => {
                paced(bytes, &read_timing(path)?, factor)
            }
            ReplayPace::Faster(factor) => {
                return Err(Error::config(
                    ConfigReason::InvalidSetting,
                    format!("replay speed-up must be a positive number, not {factor}"),
                ))
            }
        };
        Ok(Self::from_body(body))
    }

    /// SSE bytes held in memory as a [`ChatStream`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// let bytes = std::fs::read("tests/fixtures/recorded/rig__regression__stop_reason_max_tokens__0.sse")?;
    /// let reply = chat_anthropic::ChatStream::from_sse_bytes(bytes).final_message().await?;
    /// assert!(!reply.text().is_empty());
    /// # Ok(()) }
    /// ```
    pub fn from_sse_bytes(bytes: impl Into<Bytes>) -> Self {
        Self::from_body(instant(bytes.into()))
    }

    fn from_body(body: Body) -> Self {
        Self::new(body, true, MessageAggregator::new())
    }
}

fn instant(bytes: Bytes) -> Body {
    Box::pin(futures_util::stream::once(async move { Ok(bytes) }))
}

/// (byte offset, time since the first chunk) of each recorded chunk.
fn read_timing(path: &Path) -> Result<Vec<(usize, Duration)>, Error> {
    let sidecar = timing_path(path);
    let text = std::fs::read_to_string(&sidecar).map_err(|err| {
        Error::config(ConfigReason::InvalidRecording, format!(
            "no timing for {} ({}: {err}); record with ChatAnthropic::stream_recording or replay with ReplayPace::Instant",
            path.display(),
            sidecar.display()
        ))
    })?;
    text.lines()
        .enumerate()
        .map(|(number, line)| {
            let mut fields = line.split_ascii_whitespace().map(str::parse::<u64>);
            match (fields.next(), fields.next(), fields.next()) {
                (Some(Ok(offset)), Some(Ok(micros)), None) => {
                    Ok((offset as usize, Duration::from_micros(micros)))
                }
                _ => Err(Error::config(
                    ConfigReason::InvalidRecording,
                    format!(
                        "{} line {}: expected \"<byte offset> <microseconds>\", found {line:?}",
                        sidecar.display(),
                        number + 1
                    ),
                )),
            }
        })
        .collect()
}

/// The recording cut at its chunk boundaries, each chunk released at its (scaled) time.
fn paced(bytes: Bytes, timing: &[(usize, Duration)], factor: f64) -> Body {
    let mut chunks = Vec::with_capacity(timing.len());
    for (i, &(offset, at)) in timing.iter().enumerate() {
        let end = timing.get(i + 1).map_or(bytes.len(), |next| next.0);
        if offset <= end && end <= bytes.len() {
            chunks.push((bytes.slice(offset..end), at.div_f64(factor)));
        }
    }
    let covered = chunks.iter().map(|(chunk, _)| chunk.len()).sum::<usize>();
    if covered < bytes.len() {
        // A sidecar that does not match the file: play the rest at once rather than lose it.
        let last = chunks.last().map_or(Duration::ZERO, |c| c.1);
        chunks.push((bytes.slice(covered..), last));
    }
    let start = crate::clock::Instant::now();
    Box::pin(
        futures_util::stream::iter(chunks).then(move |(chunk, at)| async move {
            crate::clock::sleep_until(start + at).await;
            Ok(chunk)
        }),
    )
}
