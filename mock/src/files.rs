//! The Files API: multipart upload, list, metadata, content
//! and delete, over an in-memory store. Uploads are not downloadable (as with the API);
//! files the API itself made are, and tests add those with
//! [`MockServer::add_file`](super::MockServer::add_file).

use std::sync::Mutex;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Uri};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};

use super::resources::{Answer, ListQuery};
use super::validate::{invalid, Refusal};
use super::Shared;

/// A stored file.
#[derive(Debug, Clone)]
struct StoredFile {
    id: String,
    filename: String,
    mime_type: String,
    bytes: Bytes,
    created_at: String,
    downloadable: bool,
}

impl StoredFile {
    fn metadata(&self) -> Value {
        json!({
            "type": "file",
            "id": self.id,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size_bytes": self.bytes.len(),
            "created_at": self.created_at,
            "downloadable": self.downloadable,
            "expires_at": null,
        })
    }
}

/// The files, oldest first.
#[derive(Debug, Default)]
pub(super) struct FileStore {
    files: Mutex<Vec<StoredFile>>,
    next_id: Mutex<u64>,
}

impl FileStore {
    /// Stores a file; returns its metadata.
    pub(super) fn add(
        &self,
        filename: &str,
        mime_type: &str,
        bytes: Bytes,
        downloadable: bool,
    ) -> Value {
        let id = {
            let mut next = self.next_id.lock().expect("not poisoned");
            *next += 1;
            format!("file_mock_{:016}", *next)
        };
        let created_at = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|now| {
                now.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        let file = StoredFile {
            id,
            filename: filename.to_owned(),
            mime_type: mime_type.to_owned(),
            bytes,
            created_at,
            downloadable,
        };
        let metadata = file.metadata();
        self.files.lock().expect("not poisoned").push(file);
        metadata
    }

    fn find(&self, id: &str) -> Result<StoredFile, Refusal> {
        let files = self.files.lock().expect("not poisoned");
        files
            .iter()
            .find(|file| file.id == id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }
}

/// The answer to a Files request; `None` for a path the API does not have.
pub(super) async fn answer(
    shared: &Shared,
    method: &Method,
    rest: &[&str],
    uri: &Uri,
    headers: &HeaderMap,
    raw: Bytes,
) -> Option<Result<Answer, Refusal>> {
    let store = &shared.files;
    let result = match (method, rest) {
        (&Method::POST, [] | [""]) => upload(store, headers, raw).await,
        (&Method::GET, [] | [""]) => ListQuery::from_uri(uri).and_then(|query| {
            let newest_first: Vec<StoredFile> = store
                .files
                .lock()
                .expect("not poisoned")
                .iter()
                .rev()
                .cloned()
                .collect();
            query.page(&newest_first, |file| &file.id, StoredFile::metadata)
        }),
        (&Method::GET, [id]) => store.find(id).map(|file| file.metadata()),
        (&Method::DELETE, [id]) => {
            let mut files = store.files.lock().expect("not poisoned");
            match files.iter().position(|file| file.id == *id) {
                Some(at) => {
                    files.remove(at);
                    Ok(json!({"id": id, "type": "file_deleted"}))
                }
                None => Err(not_found(id)),
            }
        }
        (&Method::GET, [id, "content"]) => {
            return Some(store.find(id).and_then(content).map(Answer::Raw))
        }
        _ => return None,
    };
    Some(result.map(Answer::Json))
}

/// Reads the multipart `file` field and stores it.
async fn upload(store: &FileStore, headers: &HeaderMap, raw: Bytes) -> Result<Value, Refusal> {
    let mut request = Request::new(Body::from(raw));
    *request.headers_mut() = headers.clone();
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| invalid(format!("the body must be multipart/form-data: {e}")))?;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| invalid(format!("malformed multipart body: {e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("file").to_owned();
        let mime_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| invalid(format!("malformed multipart body: {e}")))?;
        return Ok(store.add(&filename, &mime_type, bytes, false));
    }
    Err(invalid("file: Field required"))
}

fn content(file: StoredFile) -> Result<Response, Refusal> {
    if !file.downloadable {
        return Err(Refusal {
            status: 400,
            kind: "invalid_request_error".into(),
            message: format!(
                "File {} is not downloadable: only files created by the API can be downloaded",
                file.id
            ),
        });
    }
    let mut response = Response::new(Body::from(file.bytes));
    if let Ok(value) = HeaderValue::from_str(&file.mime_type) {
        response.headers_mut().insert("content-type", value);
    }
    Ok(response)
}

fn not_found(id: &str) -> Refusal {
    Refusal {
        status: 404,
        kind: "not_found_error".into(),
        message: format!("File not found: {id}"),
    }
}
