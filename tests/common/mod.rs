//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `tests/fixtures/recorded`: real streams from the live API.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recorded")
}

/// Every recorded `.sse` stream: (file stem, bytes), sorted by name.
pub fn recorded_streams() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("the recorded fixtures live in tests/fixtures/recorded")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sse"))
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 14,
        "expected the recorded fixtures, found {}",
        out.len()
    );
    out
}

/// One recorded stream by file stem.
pub fn recorded(stem: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(format!("{stem}.sse"))).unwrap()
}

/// Serves `app` on a free loopback port; returns its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Posts `body` to `{base_url}/v1/messages` as another client would (key, version and an
/// optional `anthropic-beta`); returns the status and the JSON body (`Null` if none).
pub async fn post_messages(
    base_url: &str,
    body: &serde_json::Value,
    beta: Option<&str>,
) -> (u16, serde_json::Value) {
    post_json(&format!("{base_url}/v1/messages"), body, beta).await
}

/// Posts `body` to `url` with the API key and version headers (and an optional
/// `anthropic-beta`); returns the status and the JSON body (`Null` if none).
pub async fn post_json(
    url: &str,
    body: &serde_json::Value,
    beta: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("x-api-key", "test-key")
        .header("anthropic-version", "2023-06-01");
    if let Some(beta) = beta {
        request = request.header("anthropic-beta", beta);
    }
    let response = request.json(body).send().await.expect("the mock answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}
