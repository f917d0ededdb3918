//! A file's content, streamed as it arrives.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::error::Error;
use crate::transport::{self, Body};

/// The bytes of a downloaded file, as a `Stream` (with the idle timeout between chunks),
/// plus helpers to collect them or write them to disk.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// // A file the API made, e.g. a chart from the code execution tool.
/// let made = server.add_file("chart.csv", "text/csv", "x,y\n1,2\n");
/// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let download = llm.files().download(&made).await?;
/// assert_eq!(download.content_type(), Some("text/csv"));
/// assert_eq!(&download.bytes().await?[..], b"x,y\n1,2\n");
/// # Ok(()) }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct FileDownload {
    content_type: Option<String>,
    content_length: Option<u64>,
    body: Body,
}

impl FileDownload {
    pub(super) fn new(response: reqwest::Response, idle_timeout: Option<Duration>) -> Self {
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Self {
            content_type,
            content_length: response.content_length(),
            body: transport::body(response, idle_timeout),
        }
    }

    /// The `content-type` the server sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The size announced by the server, when it did.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// All the bytes, collected.
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut all = BytesMut::new();
        while let Some(chunk) = self.body.next().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(all.freeze())
    }

    /// Writes the bytes to `path` as they arrive; returns how many were written.
    pub async fn write_to(mut self, path: impl AsRef<std::path::Path>) -> Result<u64, Error> {
        let mut file = tokio::fs::File::create(path).await?;
        let mut written = 0;
        while let Some(chunk) = self.body.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        file.flush().await?;
        Ok(written)
    }
}

impl Stream for FileDownload {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for FileDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDownload")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}
