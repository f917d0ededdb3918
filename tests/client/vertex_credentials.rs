//! Vertex AI tokens that refresh: a service-account key (JWT-bearer flow against a token
//! endpoint on loopback), the GCE metadata server on loopback, and a command; all cached,
//! shared by clones, and sent as the bearer token to the mock's Vertex endpoint.

use crate::common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chat_anthropic::credentials::{CommandToken, MetadataServerToken, ServiceAccountKey};
use chat_anthropic::error::PlatformErrorKind;
use chat_anthropic::{ChatAnthropic, Error};
use chat_anthropic_mock::MockServer;
use serde_json::{json, Value};

const KEY: &str = include_str!("../fixtures/credentials/test_service_account_key.pem");
const PUBLIC_KEY: &str = include_str!("../fixtures/credentials/test_service_account_key.pub.pem");
const EMAIL: &str = "vertex@my-project.iam.gserviceaccount.com";

fn vertex(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-5@20250929")
        .vertex("us-east5", "my-project")
        .base_url(server.base_url())
        .max_retries(0)
}

fn bearers(server: &MockServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.headers["authorization"].clone())
        .collect()
}

/// A token endpoint that checks the JWT-bearer grant and its RS256 signature, answering
/// `ya29.sa-N` valid for `expires_in` seconds.
async fn token_endpoint(expires_in: u64, fail: bool) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let token_uri = format!("http://{}/token", listener.local_addr().unwrap());
    let audience = token_uri.clone();
    let app = Router::new().route(
        "/token",
        post(move |Form(form): Form<HashMap<String, String>>| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let audience = audience.clone();
            async move {
                if fail {
                    return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "boom"})));
                }
                assert_eq!(form["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer");
                let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
                let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
                validation.set_audience(&[audience]);
                validation.set_issuer(&[EMAIL]);
                let claims = jsonwebtoken::decode::<Value>(&form["assertion"], &key, &validation)
                    .expect("a valid RS256 assertion")
                    .claims;
                assert_eq!(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
                assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 3600);
                let body = json!({"access_token": format!("ya29.sa-{n}"), "expires_in": expires_in, "token_type": "Bearer"});
                (StatusCode::OK, Json(body))
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (token_uri, calls)
}

fn key_json(token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "my-project",
        "private_key_id": "k1",
        "private_key": KEY,
        "client_email": EMAIL,
        "token_uri": token_uri,
    })
    .to_string()
}

#[tokio::test]
async fn a_service_account_token_is_fetched_once_and_shared_by_clones() {
    let server = MockServer::start().await;
    let (token_uri, calls) = token_endpoint(3600, false).await;
    let key = ServiceAccountKey::from_json(&key_json(&token_uri)).unwrap();
    assert!(
        !format!("{key:?}").contains("PRIVATE"),
        "Debug hides the key"
    );
    let llm = vertex(&server).vertex_token_provider(key);
    llm.invoke("one").await.unwrap();
    llm.clone().invoke("two").await.unwrap();
    llm.count_tokens("three").await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(bearers(&server), ["Bearer ya29.sa-1"; 3]);
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_the_request() {
    let server = MockServer::start().await;
    // 60 s is inside the 5-minute refresh margin: every request needs a new token.
    let (token_uri, calls) = token_endpoint(60, false).await;
    let path = std::env::temp_dir().join(format!("chat-anthropic-sa-{}.json", std::process::id()));
    std::fs::write(&path, key_json(&token_uri)).unwrap();
    let llm = vertex(&server).vertex_token_provider(ServiceAccountKey::from_file(&path).unwrap());
    llm.invoke("one").await.unwrap();
    llm.invoke("two").await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(bearers(&server), ["Bearer ya29.sa-1", "Bearer ya29.sa-2"]);
    std::fs::remove_file(&path).ok();
}

#[tokio::test]
async fn a_failing_token_endpoint_is_a_credentials_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let (token_uri, _) = token_endpoint(3600, true).await;
    let llm = vertex(&server)
        .vertex_token_provider(ServiceAccountKey::from_json(&key_json(&token_uri)).unwrap());
    let err = llm.invoke("Hi").await.unwrap_err();
    let Error::Platform(err) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(err.kind(), PlatformErrorKind::Credentials);
    assert!(err.to_string().contains("500"), "{err}");
    assert!(server.requests().is_empty());

    let broken = ServiceAccountKey::from_json(
        r#"{"client_email": "x", "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key", "token_uri": "http://127.0.0.1:1"}"#,
    );
    let Err(Error::Platform(broken)) = broken else {
        panic!("a bad key must fail")
    };
    assert!(
        !broken.to_string().contains("not a key"),
        "the key is never quoted: {broken}"
    );
}

#[tokio::test]
async fn the_metadata_server_is_asked_with_its_flavor_header() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let app = Router::new().route(
        "/computeMetadata/v1/instance/service-accounts/default/token",
        get(move |headers: HeaderMap| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                if headers.get("metadata-flavor").map(|v| v.as_bytes()) != Some(b"Google") {
                    return (StatusCode::FORBIDDEN, Json(json!({})));
                }
                (StatusCode::OK, Json(json!({"access_token": format!("ya29.gce-{n}"), "expires_in": 3599, "token_type": "Bearer"})))
            }
        }),
    );
    let metadata = common::serve(app).await;
    let llm = vertex(&server).vertex_token_provider(MetadataServerToken::new().base_url(metadata));
    llm.invoke("one").await.unwrap();
    llm.invoke("two").await.unwrap();
    assert_eq!(bearers(&server), ["Bearer ya29.gce-1"; 2]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[cfg(unix)]
#[tokio::test]
async fn a_command_token_is_run_again_when_its_lifetime_runs_out() {
    let server = MockServer::start().await;
    let counter = std::env::temp_dir().join(format!("chat-anthropic-cmd-{}", std::process::id()));
    std::fs::remove_file(&counter).ok();
    let script = format!(
        "n=$(cat {0} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {0}; echo ya29.cmd-$n",
        counter.display()
    );
    let short = CommandToken::new("sh", ["-c", script.as_str()]).lifetime(Duration::from_secs(1));
    let llm = vertex(&server).vertex_token_provider(short);
    llm.invoke("one").await.unwrap();
    llm.invoke("two").await.unwrap();
    assert_eq!(bearers(&server), ["Bearer ya29.cmd-1", "Bearer ya29.cmd-2"]);

    let failing = CommandToken::new("sh", ["-c", "echo not logged in >&2; exit 3"]);
    let err = vertex(&server)
        .vertex_token_provider(failing)
        .invoke("x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not logged in"), "{err}");
    std::fs::remove_file(&counter).ok();
}
