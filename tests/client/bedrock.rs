//! Amazon Bedrock over real HTTP against the mock server, which frames its replies as AWS
//! event-stream messages and checks SigV4 signatures: the request's target, headers,
//! signature and body form; every recorded stream assembling to the same message as its SSE
//! twin; exceptions mid-stream; corrupt frames; chunk-boundary invariance of the framing.
#![cfg(feature = "bedrock")]

use crate::common;

use chat_anthropic::bedrock::{AwsCredentials, EventStreamToSse};
use chat_anthropic::{error::ApiErrorKind, error::ProtocolError, ChatAnthropic, Error};
use chat_anthropic_mock::{
    bedrock_frame, bedrock_frames, MockAwsCredentials, MockReply, MockServer,
};
use futures_util::StreamExt;
use proptest::prelude::*;
use serde_json::json;

const MODEL: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";

fn credentials() -> AwsCredentials {
    AwsCredentials::new("AKIDMOCK", "mock/secret+key").session_token("IQoJmocktoken")
}

/// The same keys, for the mock's verifier (a type of its own: the mock shares no code with
/// the client).
fn mock_credentials() -> MockAwsCredentials {
    MockAwsCredentials::new("AKIDMOCK", "mock/secret+key").session_token("IQoJmocktoken")
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    server.set_aws_credentials(mock_credentials());
    server
}

fn bedrock(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new(MODEL)
        .bedrock("eu-west-3")
        .aws_credentials(credentials())
        .base_url(server.base_url())
}

#[tokio::test]
async fn the_request_is_signed_and_shaped_for_bedrock() {
    let server = server().await;
    let reply = bedrock(&server)
        .betas(["interleaved-thinking-2025-05-14"])
        .invoke("Hello")
        .await
        .unwrap();
    assert_eq!(reply.text(), "Mock reply to: Hello");
    let sent = &server.requests()[0];
    assert_eq!(
        sent.path,
        "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream"
    );
    let auth = &sent.headers["authorization"];
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDMOCK/")
            && auth.contains("/eu-west-3/bedrock/aws4_request"),
        "{auth}"
    );
    assert_eq!(sent.headers["x-amz-security-token"], "IQoJmocktoken");
    assert_eq!(sent.headers["accept"], "application/vnd.amazon.eventstream");
    for absent in ["x-api-key", "anthropic-version", "anthropic-beta"] {
        assert!(!sent.headers.contains_key(absent), "{absent}");
    }
    assert_eq!(sent.body["anthropic_version"], "bedrock-2023-05-31");
    assert_eq!(
        sent.body["anthropic_beta"],
        json!(["interleaved-thinking-2025-05-14"])
    );
    assert!(sent.body.get("model").is_none() && sent.body.get("stream").is_none());
}

#[tokio::test]
async fn a_wrong_secret_is_refused_like_bedrock_does() {
    let server = server().await;
    let err = ChatAnthropic::new(MODEL)
        .bedrock("eu-west-3")
        .aws_credentials(AwsCredentials::new("AKIDMOCK", "not-the-secret"))
        .base_url(server.base_url())
        .invoke("Hello")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("signature"), "{err}");
    assert_eq!(server.requests().len(), 1, "a 403 is not retried");
}

#[tokio::test]
async fn every_recorded_stream_assembles_as_its_sse_twin() {
    let server = server().await;
    let anthropic = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test");
    for (name, bytes) in common::recorded_streams() {
        server.enqueue(MockReply::sse_bytes(bytes.clone()));
        let twin = anthropic.invoke("Replay").await;
        // Frames cut into 7-byte chunks: every frame arrives split.
        server.enqueue(MockReply::sse_bytes(bytes).chunk_size(7));
        let framed = bedrock(&server).invoke("Replay").await;
        match (twin, framed) {
            (Ok(twin), Ok(framed)) => assert_eq!(framed, twin, "{name}"),
            (Err(twin), Err(framed)) => {
                assert_eq!(framed.partial_message(), twin.partial_message(), "{name}")
            }
            (twin, framed) => panic!("{name}: {twin:?} vs {framed:?}"),
        }
    }
}

#[tokio::test]
async fn an_exception_midway_keeps_the_partial_message() {
    let server = server().await;
    server.enqueue(
        MockReply::text("one two three four five").error_event_after(
            5,
            "overloaded_error",
            "Bedrock is busy",
        ),
    );
    let err = bedrock(&server).invoke("Hi").await.unwrap_err();
    let Error::Stream(stream) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(stream.cause(), Error::Api(api) if api.kind() == &ApiErrorKind::Overloaded && api.message().contains("serviceUnavailableException")),
        "{stream:?}"
    );
    let partial = stream.partial_message();
    assert!(!partial.text().is_empty(), "{partial:?}");
}

#[tokio::test]
async fn a_corrupt_frame_is_a_typed_error() {
    let mut frame = bedrock_frame(br#"{"type":"ping"}"#).to_vec();
    let last = frame.len() - 1;
    frame[last] ^= 0xff; // the message checksum
    let out: Vec<_> =
        EventStreamToSse::new(futures_util::stream::iter([Ok::<_, Error>(frame.into())]))
            .collect()
            .await;
    assert!(
        matches!(&out[..], [Err(Error::Protocol(ProtocolError::Bedrock(_)))]),
        "{out:?}"
    );
}

fn framed_fixture() -> (Vec<u8>, Vec<u8>) {
    let (_, sse) = common::recorded_streams()
        .into_iter()
        .find(|(name, _)| name.contains("parallel_tool_use"))
        .unwrap();
    let framed = bedrock_frames(&sse).concat();
    let mut expected = Vec::new();
    for event in String::from_utf8(sse).unwrap().split("\n\n") {
        if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
            let value: serde_json::Value = serde_json::from_str(data).unwrap();
            expected.extend(
                format!(
                    "event: {}\ndata: {value}\n\n",
                    value["type"].as_str().unwrap()
                )
                .bytes(),
            );
        }
    }
    (framed, expected)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_split_of_the_frames_gives_the_same_sse(cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40)) {
        let (framed, expected) = framed_fixture();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(framed.len())).collect();
        points.sort_unstable();
        points.dedup();
        let mut chunks = Vec::new();
        let mut start = 0;
        for point in points.into_iter().chain([framed.len()]) {
            chunks.push(Ok::<_, Error>(bytes::Bytes::copy_from_slice(&framed[start..point])));
            start = point;
        }
        let out: Vec<u8> = futures_executor::block_on(
            EventStreamToSse::new(futures_util::stream::iter(chunks))
                .map(|chunk| chunk.unwrap().to_vec())
                .concat(),
        );
        prop_assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(expected).unwrap());
    }
}

#[tokio::test]
async fn a_frame_that_never_completes_is_bounded() {
    // A prelude announcing a 4 GiB frame, then endless bytes: refused, not buffered forever.
    let mut prelude = u32::MAX.to_be_bytes().to_vec();
    prelude.extend_from_slice(&[0; 8]);
    let filler = bytes::Bytes::from(vec![0u8; 1 << 20]);
    let chunks = std::iter::once(bytes::Bytes::from(prelude))
        .chain(std::iter::repeat_n(filler, 40))
        .map(Ok::<_, Error>);
    let out: Vec<_> = EventStreamToSse::new(futures_util::stream::iter(chunks))
        .collect()
        .await;
    assert!(
        matches!(&out[..], [Err(Error::Protocol(ProtocolError::Bedrock(_)))]),
        "{out:?}"
    );
}
