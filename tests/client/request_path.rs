//! One request path for every endpoint: Messages, token counting, Message Batches, Files and
//! Models are addressed by the same code, so they carry the same key, version, betas and
//! user headers; and a platform that does not offer an endpoint refuses it with the same
//! error, before anything is sent.

use chat_anthropic::error::PlatformErrorKind;
use chat_anthropic::files::FILES_API_BETA;
use chat_anthropic::pagination::ListParams;
use chat_anthropic::{ChatAnthropic, Error};
use chat_anthropic_mock::MockServer;

#[tokio::test]
async fn every_endpoint_carries_the_same_key_version_betas_and_headers() {
    let server = MockServer::start().await;
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .without_environment()
        .base_url(server.base_url())
        .api_key("sk-one-path")
        .betas(["my-beta"])
        .default_header("x-team", "blue");

    llm.invoke("Hi").await.unwrap();
    llm.count_tokens("Hi").await.unwrap();
    llm.models().list_page(ListParams::new()).await.unwrap();
    llm.files().list_page(ListParams::new()).await.unwrap();
    let batch = llm.batches().create([("a", "Hi")]).await.unwrap();
    llm.batches().retrieve(&batch.id).await.unwrap();

    let requests = server.requests();
    let paths: Vec<_> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /v1/messages",
            "POST /v1/messages/count_tokens",
            "GET /v1/models",
            "GET /v1/files",
            "POST /v1/messages/batches",
            format!("GET /v1/messages/batches/{}", batch.id).as_str(),
        ]
    );
    for request in &requests {
        let header = |name: &str| request.headers.get(name).map(String::as_str);
        let what = &request.path;
        assert_eq!(header("x-api-key"), Some("sk-one-path"), "{what}");
        assert_eq!(header("anthropic-version"), Some("2023-06-01"), "{what}");
        assert_eq!(header("x-team"), Some("blue"), "{what}");
        let betas: Vec<&str> = header("anthropic-beta").unwrap_or("").split(',').collect();
        let expected: &[&str] = if what == "/v1/files" {
            &["my-beta", FILES_API_BETA]
        } else {
            &["my-beta"]
        };
        assert_eq!(betas, expected, "{what}");
    }
}

/// The same error, whatever the endpoint and platform, and no request made.
fn assert_not_offered(result: Result<impl std::fmt::Debug, Error>, what: &str) {
    match result {
        Err(Error::Platform(err)) => assert_eq!(err.kind(), PlatformErrorKind::Unsupported),
        other => panic!("{what}: expected a platform error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_platform_refuses_what_it_does_not_offer_with_one_error() {
    let server = MockServer::start().await;
    let vertex = ChatAnthropic::new("claude-sonnet-4-5@20250929")
        .without_environment()
        .vertex("us-east5", "p")
        .vertex_access_token("ya29.t")
        .base_url(server.base_url());
    assert_not_offered(vertex.batches().create([("a", "Hi")]).await, "batches");
    assert_not_offered(vertex.batches().retrieve("msgbatch_1").await, "batch");
    assert_not_offered(vertex.files().list_page(ListParams::new()).await, "files");
    assert_not_offered(vertex.models().retrieve("x").await, "models");
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[cfg(feature = "bedrock")]
#[tokio::test]
async fn bedrock_does_not_count_tokens_and_says_so_like_the_others() {
    let server = MockServer::start().await;
    let bedrock = ChatAnthropic::new("anthropic.claude-sonnet-4-5-20250929-v1:0")
        .without_environment()
        .bedrock("eu-west-3")
        .aws_credentials(chat_anthropic::bedrock::AwsCredentials::new(
            "AKID", "secret",
        ))
        .base_url(server.base_url());
    assert_not_offered(bedrock.count_tokens("Hi").await, "count_tokens");
    assert_not_offered(bedrock.batches().retrieve("msgbatch_1").await, "batches");
    assert!(server.requests().is_empty(), "nothing was sent");
}
