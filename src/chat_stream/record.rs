//! Recording: a response body teed, byte for byte, to a file while the caller consumes it.

use crate::clock::StdInstant as Instant;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use pin_project::pin_project;

use crate::error::Error;
use crate::transport::Body;

/// The timing sidecar of a recording: `FILE.timing` beside `FILE`.
pub(crate) fn timing_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".timing");
    PathBuf::from(name)
}

/// Tees every chunk of a body to `file` exactly as it arrived, and its arrival time to the
/// `.timing` sidecar (one line per chunk: byte offset, microseconds since the first byte).
/// The recorded file is the raw SSE the server sent, so it replays with any SSE tool; the
/// sidecar only adds the original pacing.
///
/// A failed write stops the recording (with a warning) but never the live stream: the caller
/// is streaming to a user and keeps getting the reply.
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub(crate) struct Tee {
    #[pin]
    inner: Body,
    sinks: Option<(BufWriter<File>, BufWriter<File>)>,
    offset: u64,
    started: Option<Instant>,
}

impl Tee {
    /// Creates (or truncates) `path` and its sidecar, then tees `inner` into them.
    pub(crate) fn new(inner: Body, path: &Path) -> Result<Self, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let bytes = BufWriter::new(File::create(path)?);
        let timing = BufWriter::new(File::create(timing_path(path))?);
        Ok(Self {
            inner,
            sinks: Some((bytes, timing)),
            offset: 0,
            started: None,
        })
    }
}

impl Stream for Tee {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let item = ready!(this.inner.poll_next(cx));
        match (&item, this.sinks.as_mut()) {
            (Some(Ok(chunk)), Some((bytes, timing))) => {
                let started = *this.started.get_or_insert_with(Instant::now);
                let micros = started.elapsed().as_micros();
                let written = bytes
                    .write_all(chunk)
                    .and_then(|()| writeln!(timing, "{} {micros}", *this.offset));
                *this.offset += chunk.len() as u64;
                if let Err(err) = written {
                    tracing::warn!(%err, "recording stopped: could not write the stream to disk");
                    *this.sinks = None;
                }
            }
            (Some(Err(_)) | None, Some((bytes, timing))) => {
                if let Err(err) = bytes.flush().and_then(|()| timing.flush()) {
                    tracing::warn!(%err, "recording incomplete: could not flush to disk");
                }
                *this.sinks = None;
            }
            _ => {}
        }
        Poll::Ready(item)
    }
}

impl fmt::Debug for Tee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tee")
            .field("recording", &self.sinks.is_some())
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}
