//! The Files API (sent with the beta header `files-api-2025-04-14`, which the API now
//! accepts without needing it): upload once, refer to the file by id in
//! any number of messages ([`ImageBlock::file`](crate::messages::ImageBlock::file),
//! [`DocumentBlock::file`](crate::messages::DocumentBlock::file)); list, read metadata, download
//! what the API made (e.g. code execution outputs), delete.
//!
//! Feature `files`.

mod download;
mod upload;

use futures_core::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use download::FileDownload;
pub use upload::{FileUpload, UploadProgress};

use crate::chat_model::ApiCall;
use crate::error::Error;
use crate::pagination::{self, ListParams, Page};
use crate::ChatAnthropic;

/// The Files API's beta, added to `anthropic-beta` on its requests (needed while it was in
/// beta; harmless since, and still needed by messages that refer to files on some platforms).
pub const FILES_API_BETA: &str = "files-api-2025-04-14";

/// A stored file, as the Files API describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileMetadata {
    /// The id to refer to the file by, e.g. in [`DocumentBlock::file`](crate::messages::DocumentBlock::file).
    pub id: String,
    /// The name it was uploaded with.
    pub filename: String,
    /// Its MIME type.
    pub mime_type: String,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Whether [`Files::download`] may fetch it (files the API made, not uploads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloadable: Option<bool>,
    /// When it expires and can no longer be downloaded (RFC 3339), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The context it was created in (e.g. `{"type": "session", "id": …}`), as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Value>,
    /// Any other field (`type: "file"`, fields added later), kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The answer to [`Files::delete`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeletedFile {
    /// The id of the deleted file.
    pub id: String,
}

/// The Files API of a [`ChatAnthropic`]'s account: same key, headers, transport, timeouts
/// and retries, with the Files beta added. Made by [`ChatAnthropic::files`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::files::FileUpload;
/// use chat_anthropic::messages::DocumentBlock;
/// use chat_anthropic::{ChatAnthropic, ContentBlock, HumanMessage};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .betas([chat_anthropic::files::FILES_API_BETA])
///     .base_url(server.base_url())
///     .api_key("test");
/// let uploaded = llm.files().upload(FileUpload::bytes("notes.txt", "The sky is green.")).await?;
/// assert_eq!((uploaded.size_bytes, uploaded.mime_type.as_str()), (17, "text/plain"));
/// // The id stands for the file in any later message.
/// let question = HumanMessage::new(vec![
///     DocumentBlock::file(&uploaded.id).into(),
///     ContentBlock::text("What colour is the sky?"),
/// ]);
/// llm.invoke(question).await?;
/// let sent = server.requests().pop().unwrap().body;
/// assert_eq!(sent["messages"][0]["content"][0]["source"]["file_id"], uploaded.id.as_str());
/// llm.files().delete(&uploaded.id).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Files {
    client: ChatAnthropic,
}

impl Files {
    /// Uploads a file (streamed, never read whole into memory), returning its metadata.
    /// Paths and bytes are sent again on a retry; a reader can be read only once, so its
    /// upload is not retried.
    pub async fn upload(&self, upload: FileUpload) -> Result<FileMetadata, Error> {
        let call = ApiCall::new(Method::POST, &["v1", "files"]).beta(FILES_API_BETA);
        let retry = upload.can_resend();
        let response = self
            .client
            .api_send(retry, || {
                let request = self.client.api_request(&call);
                let form = upload.form();
                async move { Ok(request?.multipart(form.await?)) }
            })
            .await?;
        crate::transport::json(response, self.client.idle_timeout()).await
    }

    /// One page of files, newest first.
    pub async fn list_page(&self, params: ListParams) -> Result<Page<FileMetadata>, Error> {
        let call = ApiCall::new(Method::GET, &["v1", "files"])
            .beta(FILES_API_BETA)
            .query(params.query());
        self.client.api_json(call).await
    }

    /// Every page from `params` on, each fetched when the stream is polled.
    pub fn pages(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Page<FileMetadata>, Error>> + Send + 'static + use<> {
        pagination::pages_of(self.clone(), params, |files: Self, params| async move {
            files.list_page(params).await
        })
    }

    /// Every file from `params` on, across pages.
    pub fn list(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<FileMetadata, Error>> + Send + 'static + use<> {
        pagination::items(self.pages(params))
    }

    /// One file's metadata.
    pub async fn retrieve_metadata(&self, file_id: impl AsRef<str>) -> Result<FileMetadata, Error> {
        let segments = ["v1", "files", file_id.as_ref()];
        self.client
            .api_json(ApiCall::new(Method::GET, &segments).beta(FILES_API_BETA))
            .await
    }

    /// A file's content as a byte stream, read as it arrives (the idle timeout applies
    /// between chunks). Only files the API made are downloadable.
    pub async fn download(&self, file_id: impl AsRef<str>) -> Result<FileDownload, Error> {
        let segments = ["v1", "files", file_id.as_ref(), "content"];
        let call = ApiCall::new(Method::GET, &segments).beta(FILES_API_BETA);
        let response = self
            .client
            .api_send(true, || std::future::ready(self.client.api_request(&call)))
            .await?;
        Ok(FileDownload::new(response, self.client.idle_timeout()))
    }

    /// Deletes a file.
    pub async fn delete(&self, file_id: impl AsRef<str>) -> Result<DeletedFile, Error> {
        let segments = ["v1", "files", file_id.as_ref()];
        self.client
            .api_json(ApiCall::new(Method::DELETE, &segments).beta(FILES_API_BETA))
            .await
    }
}

impl ChatAnthropic {
    /// The Files API, through this model's key and settings.
    pub fn files(&self) -> Files {
        Files {
            client: self.clone(),
        }
    }
}
