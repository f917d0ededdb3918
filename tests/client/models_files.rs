//! The Models and Files APIs against the mock server over real HTTP, plus a raw loopback
//! server for what the mock cannot show (streamed uploads, retried uploads).

use crate::common;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chat_anthropic::error::PlatformErrorKind;
use chat_anthropic::files::{FileUpload, FILES_API_BETA};
use chat_anthropic::pagination::ListParams;
use chat_anthropic::{
    messages::DocumentBlock, messages::ImageBlock, ChatAnthropic, ContentBlock, Error, HumanMessage,
};
use chat_anthropic_mock::MockServer;
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
}

#[tokio::test]
async fn models_list_walks_every_page_and_retrieve_finds_one() {
    let server = MockServer::start().await;
    let llm = client(&server);
    let all: Vec<String> = llm
        .models()
        .list(ListParams::new().limit(2))
        .map_ok(|model| model.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0], "claude-sonnet-4-6");
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "5 models, 2 a page");
    assert!(requests
        .iter()
        .all(|r| r.method == "GET" && r.path == "/v1/models"));
    assert_eq!(requests[0].headers["x-api-key"], "test-key");
    assert_eq!(requests[0].headers["anthropic-version"], "2023-06-01");

    let pages: Vec<_> = llm
        .models()
        .pages(ListParams::new().limit(2).before_id(all[4].clone()))
        .try_collect()
        .await
        .unwrap();
    let backwards: Vec<Vec<String>> = pages
        .iter()
        .map(|page| page.data.iter().map(|m| m.id.clone()).collect())
        .collect();
    assert_eq!(backwards, [all[2..4].to_vec(), all[0..2].to_vec()]);

    let one = llm
        .models()
        .retrieve("claude-haiku-4-5-20251001")
        .await
        .unwrap();
    assert_eq!(one.display_name, "Claude Haiku 4.5");
    assert_eq!(one.other["type"], "model");
    let missing = llm
        .models()
        .retrieve("claude-nonexistent")
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(404));
    assert!(missing.request_id().is_some());
}

#[tokio::test]
async fn models_and_files_need_anthropic_s_api() {
    let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929").vertex("us-east5", "p");
    let Err(Error::Platform(err)) = llm.models().retrieve("x").await else {
        panic!("expected a platform error")
    };
    assert_eq!(err.kind(), PlatformErrorKind::Unsupported);
}

#[tokio::test]
async fn files_upload_list_metadata_delete_and_refer_by_id() {
    let server = MockServer::start().await;
    let llm = client(&server).betas(["my-beta", FILES_API_BETA]);
    let dir = std::env::temp_dir().join(format!("chat-anthropic-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.pdf");
    std::fs::write(&path, b"%PDF-1.4 fake").unwrap();

    let reported = Arc::new(Mutex::new(Vec::new()));
    let seen = reported.clone();
    let pdf = llm
        .files()
        .upload(FileUpload::path(&path).on_progress(move |p| seen.lock().unwrap().push(p)))
        .await
        .unwrap();
    assert_eq!(
        (pdf.filename.as_str(), pdf.mime_type.as_str()),
        ("report.pdf", "application/pdf")
    );
    assert_eq!(pdf.size_bytes, 13);
    assert_eq!(pdf.downloadable, Some(false));
    let last = *reported
        .lock()
        .unwrap()
        .last()
        .expect("progress was reported");
    assert_eq!((last.sent, last.total), (13, Some(13)));
    let sent = server.requests().pop().unwrap();
    assert_eq!(
        sent.headers["anthropic-beta"], "my-beta,files-api-2025-04-14",
        "merged, once"
    );
    assert!(sent.headers["content-type"].starts_with("multipart/form-data; boundary="));

    let png = llm
        .files()
        .upload(FileUpload::bytes("dot.png", vec![0x89, b'P', b'N', b'G']))
        .await
        .unwrap();
    assert_eq!(png.mime_type, "image/png");
    let notes = llm
        .files()
        .upload(FileUpload::reader("notes", &b"from a reader"[..]).mime_type("text/plain"))
        .await
        .unwrap();
    assert_eq!(
        (notes.size_bytes, notes.mime_type.as_str()),
        (13, "text/plain")
    );

    let listed: Vec<String> = llm
        .files()
        .list(ListParams::new().limit(2))
        .map_ok(|file| file.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        listed,
        [notes.id.clone(), png.id.clone(), pdf.id.clone()],
        "newest first, across pages"
    );
    assert_eq!(llm.files().retrieve_metadata(&png.id).await.unwrap(), png);

    llm.invoke(HumanMessage::new(vec![
        ImageBlock::file(&png.id).into(),
        DocumentBlock::file(&pdf.id).into(),
        ContentBlock::text("Describe both."),
    ]))
    .await
    .unwrap();
    let body = server.requests().pop().unwrap().body;
    assert_eq!(
        body["messages"][0]["content"][0]["source"],
        serde_json::json!({"type": "file", "file_id": png.id})
    );
    assert_eq!(
        body["messages"][0]["content"][1]["source"]["file_id"],
        pdf.id.as_str()
    );

    let deleted = llm.files().delete(&png.id).await.unwrap();
    assert_eq!(deleted.id, png.id);
    let gone = llm.files().retrieve_metadata(&png.id).await.unwrap_err();
    assert_eq!(gone.status(), Some(404));
    let refused = llm.files().download(&pdf.id).await.unwrap_err();
    assert_eq!(refused.status(), Some(400), "uploads are not downloadable");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn an_empty_list_and_a_missing_file_to_upload() {
    let server = MockServer::start().await;
    let ok = client(&server)
        .files()
        .list_page(ListParams::new())
        .await
        .unwrap();
    assert!(ok.data.is_empty() && !ok.has_more);

    let missing = client(&server)
        .files()
        .upload(FileUpload::path("/nonexistent/chat-anthropic/file.txt"))
        .await
        .unwrap_err();
    let Error::Platform(err) = missing else {
        panic!("{missing:?}")
    };
    assert_eq!(err.kind(), PlatformErrorKind::Upload);
}

#[tokio::test]
async fn downloads_stream_the_bytes_the_api_made() {
    let server = MockServer::start().await;
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let id = server.add_file("result.bin", "application/octet-stream", content.clone());
    let llm = client(&server);
    let mut download = llm.files().download(&id).await.unwrap();
    assert_eq!(download.content_length(), Some(200_000));
    let mut got = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = download.next().await {
        got.extend_from_slice(&chunk.unwrap());
        chunks += 1;
        assert!(chunks < 10_000);
    }
    assert_eq!(got, content);
    let path = std::env::temp_dir().join(format!("chat-anthropic-dl-{}", std::process::id()));
    let written = llm
        .files()
        .download(&id)
        .await
        .unwrap()
        .write_to(&path)
        .await
        .unwrap();
    assert_eq!((written, std::fs::read(&path).unwrap()), (200_000, content));
    std::fs::remove_file(&path).ok();
}

/// Reads a request from `stream` until `marker` has arrived.
async fn read_until(stream: &mut tokio::net::TcpStream, seen: &mut Vec<u8>, marker: &[u8]) {
    let mut buf = [0u8; 4096];
    while !seen.windows(marker.len()).any(|w| w == marker) {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(
            n > 0,
            "the connection closed before {:?}",
            String::from_utf8_lossy(marker)
        );
        seen.extend_from_slice(&buf[..n]);
    }
}

const METADATA: &str = r#"{"type":"file","id":"file_1","filename":"f","mime_type":"text/plain","size_bytes":1,"created_at":"2026-01-01T00:00:00Z"}"#;

#[tokio::test]
async fn a_reader_upload_is_streamed_not_read_whole_first() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (first_half_arrived, wait) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut seen = Vec::new();
        read_until(&mut stream, &mut seen, b"FIRST-HALF").await;
        first_half_arrived.send(()).unwrap();
        read_until(&mut stream, &mut seen, b"SECOND-HALF").await;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{METADATA}",
            METADATA.len()
        );
        stream.write_all(response.as_bytes()).await.unwrap();
    });
    // The second half is written only once the server holds the first: a client that read
    // the whole reader before sending would wait forever.
    let (reader, mut writer) = tokio::io::duplex(64);
    tokio::spawn(async move {
        writer.write_all(b"FIRST-HALF").await.unwrap();
        wait.await.unwrap();
        writer.write_all(b"SECOND-HALF").await.unwrap();
    });
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(base)
        .api_key("k");
    let files = llm.files();
    let upload = files.upload(FileUpload::reader("f", reader));
    let metadata = tokio::time::timeout(Duration::from_secs(10), upload)
        .await
        .expect("the upload streamed")
        .unwrap();
    assert_eq!(metadata.id, "file_1");
    server.await.unwrap();
}

#[tokio::test]
async fn a_path_upload_is_sent_again_on_retry_and_a_reader_is_not() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let bodies = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let app = {
        let (attempts, bodies) = (attempts.clone(), bodies.clone());
        axum::Router::new().route(
            "/v1/files",
            axum::routing::post(move |body: axum::body::Bytes| {
                let (attempts, bodies) = (attempts.clone(), bodies.clone());
                async move {
                    bodies.lock().unwrap().push(body.to_vec());
                    if attempts.fetch_add(1, Ordering::SeqCst) % 2 == 0 {
                        let error = r#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#;
                        return (axum::http::StatusCode::from_u16(529).unwrap(), [("retry-after-ms", "1")], error.to_owned());
                    }
                    (axum::http::StatusCode::OK, [("retry-after-ms", "0")], METADATA.to_owned())
                }
            }),
        )
    };
    let base = common::serve(app).await;
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(base)
        .api_key("k")
        .max_retries(1);
    let path =
        std::env::temp_dir().join(format!("chat-anthropic-retry-{}.txt", std::process::id()));
    std::fs::write(&path, b"THE-CONTENT").unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let seen = sent.clone();
    llm.files()
        .upload(FileUpload::path(&path).on_progress(move |p| {
            seen.fetch_add(p.sent, Ordering::SeqCst);
        }))
        .await
        .unwrap();
    let bodies_now = bodies.lock().unwrap().clone();
    assert_eq!(bodies_now.len(), 2);
    for body in &bodies_now {
        assert!(
            body.windows(11).any(|w| w == b"THE-CONTENT"),
            "each attempt carries the file"
        );
    }
    assert!(
        sent.load(Ordering::SeqCst) >= 22,
        "progress reported for both attempts"
    );

    let once = llm
        .files()
        .upload(FileUpload::reader("f", &b"THE-CONTENT"[..]))
        .await
        .unwrap_err();
    assert_eq!(once.status(), Some(529));
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        3,
        "a reader is not retried"
    );
    std::fs::remove_file(&path).ok();
}
