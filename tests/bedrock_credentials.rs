//! Bedrock with the AWS default credential chain: a profile in a shared credentials file,
//! and short-lived credentials from a container-credentials endpoint on loopback, fetched
//! again for every attempt and checked by the mock's SigV4 verifier.
//!
//! One test function: the chain reads process-wide environment variables.

#![cfg(feature = "bedrock")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use chat_anthropic::credentials::AwsCredentialChain;
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockAwsCredentials, MockReply, MockServer};
use serde_json::json;

mod common;

const VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
];

fn bedrock(server: &MockServer, chain: AwsCredentialChain) -> ChatAnthropic {
    ChatAnthropic::new("anthropic.claude-sonnet-4-5-20250929-v1:0")
        .bedrock("us-east-1")
        .base_url(server.base_url())
        .aws_credential_chain(chain)
}

// Sound here: this binary's one test changes variables only between requests, while no other
// thread reads the environment (the servers' threads wait; the client runs on this thread).
fn set_var(name: &str, value: impl AsRef<std::ffi::OsStr>) {
    // SAFETY: as above, no other thread reads or writes the environment meanwhile.
    unsafe { std::env::set_var(name, value) }
}

fn remove_var(name: &str) {
    // SAFETY: as for `set_var`.
    unsafe { std::env::remove_var(name) }
}

#[tokio::test]
async fn the_default_chain_reads_profiles_and_container_credentials() {
    for name in VARIABLES {
        remove_var(name);
    }
    set_var("AWS_EC2_METADATA_DISABLED", "true");
    let dir = std::env::temp_dir().join(format!("chat-anthropic-aws-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, "[profile bedrock-dev]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\n[bedrock-dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    )
    .unwrap();
    set_var("AWS_CONFIG_FILE", &config);
    set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);

    // A named profile: the mock checks the signature against that profile's keys.
    let server = MockServer::start().await;
    server.set_aws_credentials(MockAwsCredentials::new("AKIDPROFILE", "profile-secret"));
    let llm = bedrock(&server, AwsCredentialChain::profile("bedrock-dev").await);
    let reply = llm.invoke("Hello").await.unwrap();
    assert_eq!(reply.text(), "Mock reply to: Hello");
    let auth = &server.requests()[0].headers["authorization"];
    assert!(auth.contains("Credential=AKIDPROFILE/"), "{auth}");
    // The wrong profile's signature is refused by the mock's verifier.
    let wrong = bedrock(&server, AwsCredentialChain::default_chain().await);
    assert_eq!(wrong.invoke("Hello").await.unwrap_err().status(), Some(403));

    // Container credentials that expire in two minutes (inside the refresh margin): every
    // attempt, the retry included, fetches and signs with them afresh.
    set_var("AWS_CONFIG_FILE", dir.join("none"));
    set_var("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"));
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/creds",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(2);
            let expires = expires
                .replace_nanosecond(0)
                .unwrap()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            async move {
                Json(json!({
                    "AccessKeyId": "ASIACONTAINER",
                    "SecretAccessKey": "container-secret",
                    "Token": "container-session-token",
                    "Expiration": expires,
                }))
            }
        }),
    );
    let endpoint = common::serve(app).await;
    set_var(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("{endpoint}/creds"),
    );
    let server = MockServer::start().await;
    server.set_aws_credentials(
        MockAwsCredentials::new("ASIACONTAINER", "container-secret")
            .session_token("container-session-token"),
    );
    server.enqueue(
        MockReply::error(529, "ServiceUnavailableException", "busy").header("retry-after-ms", "1"),
    );
    let llm = bedrock(&server, AwsCredentialChain::default_chain().await);
    llm.invoke("Hello").await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the 529 was retried");
    for request in &requests {
        assert_eq!(
            request.headers["x-amz-security-token"],
            "container-session-token"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2, "one fetch per attempt");

    for name in VARIABLES {
        remove_var(name);
    }
    std::fs::remove_dir_all(&dir).ok();
}
