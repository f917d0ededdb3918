//! What to upload: a path, bytes or any `AsyncRead`, sent as a streamed multipart body with
//! progress reports, never read whole into memory.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

use crate::error::{Error, PlatformError, PlatformErrorKind};

/// How far an upload has got: content bytes handed to the connection so far, of `total`
/// when the size is known. A retried upload counts again from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes of the file sent so far.
    pub sent: u64,
    /// The file's size, when known.
    pub total: Option<u64>,
}

type Progress = Arc<dyn Fn(UploadProgress) + Send + Sync>;
type Reader = std::pin::Pin<Box<dyn AsyncRead + Send + Sync>>;

enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    /// Taken by the first attempt.
    Reader(Mutex<Option<Reader>>, Option<u64>),
}

/// A file to upload with [`Files::upload`](super::Files::upload).
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use chat_anthropic::files::FileUpload;
/// let sent = Arc::new(AtomicU64::new(0));
/// let seen = sent.clone();
/// let upload = FileUpload::path("report.pdf")
///     .on_progress(move |progress| seen.store(progress.sent, Ordering::Relaxed));
/// let from_memory = FileUpload::bytes("data.csv", "a,b\n1,2\n").mime_type("text/csv");
/// let from_reader = FileUpload::reader("log.txt", tokio::io::empty());
/// # let _ = (upload, from_memory, from_reader);
/// ```
pub struct FileUpload {
    source: Source,
    filename: Option<String>,
    mime_type: Option<String>,
    progress: Option<Progress>,
}

impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Path(path) => format!("path {}", path.display()),
            Source::Bytes(bytes) => format!("{} bytes", bytes.len()),
            Source::Reader(_, size) => format!("reader ({size:?} bytes)"),
        };
        f.debug_struct("FileUpload")
            .field("source", &source)
            .field("filename", &self.filename)
            .field("mime_type", &self.mime_type)
            .finish_non_exhaustive()
    }
}

impl FileUpload {
    /// The file at `path`, read as it is sent (and opened again for a retry). The name
    /// defaults to the path's file name, the MIME type to one guessed from its extension.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self::from_source(Source::Path(path.into()), None)
    }

    /// Bytes in memory, named `filename`.
    pub fn bytes(filename: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self::from_source(Source::Bytes(bytes.into()), Some(filename.into()))
    }

    /// Whatever `reader` yields, named `filename`, streamed without knowing its size (set
    /// [`size`](Self::size) to send a length). A reader is read once: no retries.
    pub fn reader(
        filename: impl Into<String>,
        reader: impl AsyncRead + Send + Sync + 'static,
    ) -> Self {
        let reader: Reader = Box::pin(reader);
        Self::from_source(
            Source::Reader(Mutex::new(Some(reader)), None),
            Some(filename.into()),
        )
    }

    fn from_source(source: Source, filename: Option<String>) -> Self {
        Self {
            source,
            filename,
            mime_type: None,
            progress: None,
        }
    }

    /// The reader's size in bytes, sent as the part's length and reported as the total.
    pub fn size(mut self, size: u64) -> Self {
        if let Source::Reader(_, known) = &mut self.source {
            *known = Some(size);
        }
        self
    }

    /// The name the file is stored under.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The MIME type (default: guessed from the file name, else
    /// `application/octet-stream`).
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// Called as content bytes are handed to the connection.
    pub fn on_progress(mut self, report: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }

    pub(super) fn can_resend(&self) -> bool {
        !matches!(self.source, Source::Reader(..))
    }

    /// The multipart form of one attempt: a `file` part streaming the content.
    pub(super) async fn form(&self) -> Result<Form, Error> {
        let filename = match (&self.filename, &self.source) {
            (Some(name), _) => name.clone(),
            (None, Source::Path(path)) => path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .ok_or_else(|| upload_error(format!("{} names no file", path.display())))?,
            (None, _) => String::from("file"),
        };
        let (reader, size): (Reader, Option<u64>) = match &self.source {
            Source::Path(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| upload_error(format!("cannot open {}: {e}", path.display())))?;
                let size = file.metadata().await.ok().map(|m| m.len());
                (Box::pin(file), size)
            }
            Source::Bytes(bytes) => (
                Box::pin(std::io::Cursor::new(bytes.clone())),
                Some(bytes.len() as u64),
            ),
            Source::Reader(reader, size) => {
                let reader = reader.lock().expect("not poisoned").take();
                let reader = reader.ok_or_else(|| upload_error("the reader was already sent"))?;
                (reader, *size)
            }
        };
        let body = reqwest::Body::wrap_stream(counted(reader, size, self.progress.clone()));
        let part = match size {
            Some(size) => Part::stream_with_length(body, size),
            None => Part::stream(body),
        };
        let mime_type = self.mime_type.clone().unwrap_or_else(|| {
            mime_guess::from_path(&filename)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        });
        let part = part.file_name(filename).mime_str(&mime_type).map_err(|_| {
            PlatformError::new(
                PlatformErrorKind::InvalidSetting,
                format!("invalid MIME type {mime_type:?}"),
            )
        })?;
        Ok(Form::new().part("file", part))
    }
}

/// The reader's bytes, reporting progress as each chunk leaves.
fn counted(
    reader: Reader,
    total: Option<u64>,
    progress: Option<Progress>,
) -> impl futures_core::Stream<Item = std::io::Result<Bytes>> + Send + Sync {
    let mut sent = 0u64;
    ReaderStream::new(reader).map(move |chunk| {
        if let (Ok(chunk), Some(report)) = (&chunk, &progress) {
            sent += chunk.len() as u64;
            report(UploadProgress { sent, total });
        }
        chunk
    })
}

fn upload_error(message: impl Into<String>) -> PlatformError {
    PlatformError::new(PlatformErrorKind::Upload, message)
}
