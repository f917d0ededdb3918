//! The Message Batches API over real HTTP against the mock server: the whole lifecycle,
//! results equal to `invoke`'s replies, validation before sending, splitting, errors.

use std::collections::BTreeMap;
use std::time::Duration;

use chat_anthropic::batches::{
    BatchError, BatchLimits, BatchOutcome, BatchRequest, ProcessingStatus, WaitOptions,
};
use chat_anthropic::{
    error::ApiErrorKind, settings::Thinking, AIMessage, ChatAnthropic, Error, Tool,
};
use chat_anthropic_mock::{MockBatchOutcome, MockReply, MockScript, MockServer};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};

use crate::common;

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("sk-test-secret")
}

fn quick() -> WaitOptions {
    WaitOptions::default()
        .interval(Duration::from_millis(10))
        .max_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(20))
}

async fn results_by_id(
    batches: &chat_anthropic::batches::Batches,
    id: &str,
) -> BTreeMap<String, BatchOutcome> {
    batches
        .results(id)
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// Everything a reply says, less the ids the server makes up per call.
fn without_ids(mut message: AIMessage) -> AIMessage {
    message.id = None;
    message.response_metadata.id.clear();
    message
}

#[tokio::test]
async fn succeeded_results_are_the_messages_invoke_returns_from_the_same_request_body() {
    let server = MockServer::start().await;
    // Thinking, a tool call and text: everything the fold has rules for.
    server.set_responder(|request| {
        let said = request.body["messages"][0]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        MockReply::script(
            MockScript::new()
                .thinking(format!("Thinking about {said}"), "sig-1")
                .tool_use("toolu_1", "lookup", json!({"q": said, "n": [1, 2.5, null]}))
                .text(format!("Looking up {said}."))
                .output_tokens(42),
        )
    });
    let llm = model(&server)
        .max_tokens(4096)
        .thinking(Thinking::enabled(2048))
        .bind_tools([Tool::new(
            "lookup",
            json!({"type": "object", "properties": {"q": {"type": "string"}}}),
        )]);
    let prompts = ["alpha", "beta", "gamma", "delta"];
    let mut invoked = BTreeMap::new();
    for (i, prompt) in prompts.iter().enumerate() {
        invoked.insert(format!("q-{i}"), llm.invoke(*prompt).await.unwrap());
    }
    let batches = llm.batches();
    let batch = batches
        .create(
            prompts
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("q-{i}"), *p)),
        )
        .await
        .unwrap();
    let ended = batches.wait(&batch.id, quick(), |_| {}).await.unwrap();
    assert_eq!(ended.request_counts.succeeded, 4);

    // The params sent are exactly the body `invoke` sent, less `stream`.
    let requests = server.requests();
    let create = requests
        .iter()
        .find(|r| r.path == "/v1/messages/batches" && r.method == "POST")
        .unwrap();
    assert_eq!(
        create.headers.get("transfer-encoding").map(String::as_str),
        Some("chunked")
    );
    for (i, sent) in requests
        .iter()
        .filter(|r| r.path == "/v1/messages")
        .enumerate()
    {
        let mut body = sent.body.clone();
        assert_eq!(
            body.as_object_mut().unwrap().remove("stream"),
            Some(Value::Bool(true))
        );
        assert_eq!(create.body["requests"][i]["params"], body, "request {i}");
        assert_eq!(create.body["requests"][i]["custom_id"], format!("q-{i}"));
    }

    let results = results_by_id(&batches, &batch.id).await;
    assert_eq!(results.len(), 4);
    for (custom_id, outcome) in results {
        let BatchOutcome::Succeeded(message) = outcome else {
            panic!("{custom_id}: {outcome:?}")
        };
        let expected = invoked.remove(&custom_id).unwrap();
        assert_eq!(expected.tool_calls.len(), 1);
        assert_eq!(without_ids(*message), without_ids(expected), "{custom_id}");
    }
}

#[tokio::test]
async fn a_batch_goes_in_progress_then_ended_with_counts_and_progress_snapshots() {
    let server = MockServer::start().await;
    server.set_batch_processing_time(Duration::from_millis(200));
    server.batch_outcome("e", MockReply::error(529, "overloaded_error", "Overloaded"));
    server.batch_outcome("x", MockBatchOutcome::Expired);
    server.batch_outcome("c", MockBatchOutcome::Canceled);
    let batches = model(&server).batches();
    let batch = batches
        .create([
            ("a", "Hi"),
            ("e", "Hi"),
            ("x", "Hi"),
            ("c", "Hi"),
            ("b", "Hi"),
        ])
        .await
        .unwrap();
    assert!(batch.id.starts_with("msgbatch_"));
    assert_eq!(batch.processing_status, ProcessingStatus::InProgress);
    assert_eq!(batch.request_counts.processing, 5);
    assert!(batch.results_url.is_none());
    let mut snapshots = Vec::new();
    let ended = batches
        .wait(&batch.id, quick(), |b| {
            snapshots.push(b.processing_status.clone())
        })
        .await
        .unwrap();
    assert!(snapshots.len() >= 2, "{snapshots:?}");
    assert_eq!(snapshots.first(), Some(&ProcessingStatus::InProgress));
    assert_eq!(snapshots.last(), Some(&ProcessingStatus::Ended));
    let counts = ended.request_counts;
    assert_eq!(
        (
            counts.processing,
            counts.succeeded,
            counts.errored,
            counts.expired,
            counts.canceled
        ),
        (0, 2, 1, 1, 1)
    );
    assert!(ended.ended_at.is_some());
    assert!(ended
        .results_url
        .as_deref()
        .unwrap()
        .ends_with(&format!("/v1/messages/batches/{}/results", batch.id)));

    let results = results_by_id(&batches, &batch.id).await;
    let BatchOutcome::Errored(error) = &results["e"] else {
        panic!("{:?}", results["e"])
    };
    assert_eq!(error.status(), Some(529));
    assert_eq!(error.api_kind(), Some(&ApiErrorKind::Overloaded));
    assert!(matches!(results["x"], BatchOutcome::Expired));
    assert!(matches!(results["c"], BatchOutcome::Canceled));
    assert_eq!(results["a"].message().unwrap().text(), "Mock reply to: Hi");
}

#[tokio::test]
async fn watch_streams_snapshots_until_the_end() {
    let server = MockServer::start().await;
    server.set_batch_processing_time(Duration::from_millis(100));
    let batches = model(&server).batches();
    let batch = batches.create([("a", "Hi")]).await.unwrap();
    let snapshots: Vec<_> = batches
        .watch(&batch.id, quick())
        .try_collect()
        .await
        .unwrap();
    assert!(snapshots.iter().rev().skip(1).all(|b| !b.is_ended()));
    assert!(snapshots.last().unwrap().is_ended());
}

#[tokio::test]
async fn waiting_gives_up_with_a_typed_error_after_its_timeout() {
    let server = MockServer::start().await;
    server.set_batch_processing_time(Duration::from_secs(3600));
    let batches = model(&server).batches();
    let batch = batches.create([("a", "Hi")]).await.unwrap();
    let options = quick().timeout(Duration::from_millis(100));
    let err = batches.wait(&batch.id, options, |_| {}).await.unwrap_err();
    assert!(
        matches!(
            err.area::<BatchError>(),
            Some(BatchError::WaitTimeout {
                status: ProcessingStatus::InProgress,
                ..
            })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn cancel_goes_canceling_then_ended_with_the_rest_canceled_and_delete_needs_the_end() {
    let server = MockServer::start().await;
    server.set_batch_processing_time(Duration::from_secs(3600));
    server.set_batch_cancel_time(Duration::from_millis(100));
    let batches = model(&server).batches();
    let batch = batches.create([("a", "Hi"), ("b", "Hi")]).await.unwrap();

    let err = batches.results(&batch.id).await.unwrap_err();
    assert!(
        matches!(err.area::<BatchError>(), Some(BatchError::NotEnded { .. })),
        "{err}"
    );
    let err = batches.delete(&batch.id).await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");

    let canceling = batches.cancel(&batch.id).await.unwrap();
    assert_eq!(canceling.processing_status, ProcessingStatus::Canceling);
    assert!(canceling.cancel_initiated_at.is_some());
    let ended = batches.wait(&batch.id, quick(), |_| {}).await.unwrap();
    assert_eq!(ended.request_counts.canceled, 2);
    let results = results_by_id(&batches, &batch.id).await;
    assert!(results
        .values()
        .all(|o| matches!(o, BatchOutcome::Canceled)));

    let deleted = batches.delete(&batch.id).await.unwrap();
    assert_eq!(
        (deleted.id.as_str(), deleted.kind.as_str()),
        (batch.id.as_str(), "message_batch_deleted")
    );
    let gone = batches.retrieve(&batch.id).await.unwrap_err();
    assert_eq!(gone.status(), Some(404));
    assert_eq!(gone.api_kind(), Some(&ApiErrorKind::NotFound));
}

#[tokio::test]
async fn unknown_ids_are_404s_and_malformed_ids_are_never_sent() {
    let server = MockServer::start().await;
    let batches = model(&server).batches();
    for err in [
        batches.retrieve("msgbatch_nope").await.unwrap_err(),
        batches.cancel("msgbatch_nope").await.unwrap_err(),
        batches.delete("msgbatch_nope").await.unwrap_err(),
        batches.results("msgbatch_nope").await.unwrap_err(),
    ] {
        assert_eq!(err.status(), Some(404), "{err}");
    }
    let sent = server.requests().len();
    let err = batches.retrieve("../messages").await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    assert_eq!(server.requests().len(), sent);
}

#[tokio::test]
async fn list_is_a_stream_over_pages_newest_first() {
    let server = MockServer::start().await;
    let batches = model(&server).batches();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(batches.create([(format!("q{i}"), "Hi")]).await.unwrap().id);
    }
    let listed: Vec<String> = batches
        .list(2)
        .map_ok(|b| b.id)
        .try_collect()
        .await
        .unwrap();
    ids.reverse();
    assert_eq!(listed, ids);
    let pages: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/v1/messages/batches")
        .collect();
    assert_eq!(pages.len(), 3);
    // Reading only the first item fetches only the first page.
    let first = batches.list(2).next().await.unwrap().unwrap();
    assert_eq!(first.id, ids[0]);
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_sent_naming_the_request() {
    let server = MockServer::start().await;
    let llm = model(&server);
    let batches = llm.batches().limits(BatchLimits::new(3, 4096));
    let err = batches
        .create([("ok", "Hi"), ("not ok", "Hi")])
        .await
        .unwrap_err();
    assert!(
        matches!(err.area::<BatchError>(), Some(BatchError::InvalidCustomId { index: 1, custom_id }) if custom_id == "not ok"),
        "{err}"
    );
    let err = batches
        .create([("a", "Hi"), ("b", "Hi"), ("a", "Hi")])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.area::<BatchError>(),
            Some(BatchError::DuplicateCustomId {
                index: 2,
                first: 0,
                ..
            })
        ),
        "{err}"
    );
    let four = (0..4).map(|i| (format!("r{i}"), "Hi"));
    let err = batches.create(four).await.unwrap_err();
    assert!(
        matches!(
            err.area::<BatchError>(),
            Some(BatchError::TooManyRequests {
                index: 3,
                limit: 3,
                ..
            })
        ),
        "{err}"
    );
    let long = "x".repeat(3000);
    let err = batches
        .create([
            ("small", "Hi".to_owned()),
            ("big", long.clone()),
            ("big2", long),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.area::<BatchError>(),
            Some(BatchError::TooLarge {
                index: 2,
                limit: 4096,
                ..
            })
        ),
        "{err}"
    );
    // A request the request code refuses (thinking budget above max_tokens).
    let bad = BatchRequest::new("t", "Hi").with_model(
        llm.clone()
            .max_tokens(1500)
            .thinking(Thinking::enabled(2048)),
    );
    let err = batches
        .create([BatchRequest::new("fine", "Hi"), bad])
        .await
        .unwrap_err();
    assert!(
        matches!(err.area::<BatchError>(), Some(BatchError::Request { index: 1, custom_id, .. }) if custom_id == "t"),
        "{err}"
    );
    let empty: [(&str, &str); 0] = [];
    let err = batches.create(empty).await.unwrap_err();
    assert!(
        matches!(err.area::<BatchError>(), Some(BatchError::Empty)),
        "{err}"
    );
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn per_request_overrides_change_only_their_request() {
    let server = MockServer::start().await;
    let llm = model(&server).max_tokens(100);
    let batch = llm
        .batches()
        .create([
            BatchRequest::new("plain", "Hi"),
            BatchRequest::new("other", "Hi")
                .with_model(ChatAnthropic::new("claude-haiku-4-5").max_tokens(7))
                .param("service_tier", "standard_only"),
        ])
        .await
        .unwrap();
    assert!(batch.id.starts_with("msgbatch_"));
    let body = &server.requests()[0].body;
    let params = |i: usize| body["requests"][i]["params"].clone();
    assert_eq!(
        (params(0)["model"].clone(), params(0)["max_tokens"].clone()),
        (json!("claude-sonnet-4-6"), json!(100))
    );
    assert_eq!(
        (params(1)["model"].clone(), params(1)["max_tokens"].clone()),
        (json!("claude-haiku-4-5"), json!(7))
    );
    assert_eq!(params(1)["service_tier"], "standard_only");
    assert!(params(0).get("service_tier").is_none());
    assert!(params(0).get("stream").is_none());
}

#[tokio::test]
async fn a_job_over_the_limits_is_split_and_its_results_merge() {
    let server = MockServer::start().await;
    server.set_batch_results_chunk_size(7);
    let batches = model(&server)
        .batches()
        .limits(BatchLimits::new(3, 1 << 20));
    let requests: Vec<_> = (0..8)
        .map(|i| (format!("q{i}"), format!("Question {i}")))
        .collect();
    let mut job = batches.submit(requests).await.unwrap();
    assert_eq!(job.batches().len(), 3);
    let creates: Vec<usize> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.body["requests"].as_array().unwrap().len())
        .collect();
    assert_eq!(creates, [3, 3, 2]);
    let mut rounds = 0;
    job.wait(quick(), |_| rounds += 1).await.unwrap();
    assert!(rounds >= 3);
    assert!(job.is_ended());
    assert_eq!(job.request_counts().succeeded, 8);
    let results: BTreeMap<String, BatchOutcome> = job
        .results()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(results.len(), 8);
    for i in 0..8 {
        assert_eq!(
            results[&format!("q{i}")].message().unwrap().text(),
            format!("Mock reply to: Question {i}")
        );
    }
}

#[tokio::test]
async fn invalid_params_are_errored_results_with_the_api_s_message() {
    let server = MockServer::start().await;
    let batches = model(&server).batches();
    let batch = batches
        .create([
            BatchRequest::new("ok", "Hi"),
            BatchRequest::new("bad", "Hi").param("max_tokens", -1),
        ])
        .await
        .unwrap();
    batches.wait(&batch.id, quick(), |_| {}).await.unwrap();
    let results = results_by_id(&batches, &batch.id).await;
    let BatchOutcome::Errored(error) = &results["bad"] else {
        panic!("{:?}", results["bad"])
    };
    assert_eq!(error.api_kind(), Some(&ApiErrorKind::InvalidRequest));
    assert!(error.to_string().contains("max_tokens"), "{error}");
    assert!(results["ok"].message().is_some());
}

#[tokio::test]
async fn the_mock_refuses_bodies_the_api_refuses() {
    let server = MockServer::start().await;
    let url = format!("{}/v1/messages/batches", server.base_url());
    let post = |body: Value| {
        let url = url.clone();
        async move { common::post_json(&url, &body, None).await }
    };
    let params =
        json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]});
    let (status, body) = post(json!({"requests": []})).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (400, Some("invalid_request_error"))
    );
    let duplicate = json!({"requests": [{"custom_id": "a", "params": params}, {"custom_id": "a", "params": params}]});
    let (status, body) = post(duplicate).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("requests.1.custom_id"));
    let mut streaming = params.clone();
    streaming["stream"] = json!(true);
    let (status, _) = post(json!({"requests": [{"custom_id": "a", "params": streaming}]})).await;
    assert_eq!(status, 400);
    let (status, _) = post(json!({"requests": [{"custom_id": "a b", "params": params}]})).await;
    assert_eq!(status, 400);
    let unauthenticated = reqwest::Client::new()
        .get(format!("{}/v1/messages/batches", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);
}

#[tokio::test]
async fn results_on_another_origin_never_get_the_api_key() {
    use axum::routing::get;
    let foreign = common::serve(axum::Router::new().route(
        "/v1/messages/batches/{id}",
        get(|| async {
            axum::Json(json!({
                "id": "msgbatch_1", "type": "message_batch", "processing_status": "ended",
                "request_counts": {"processing": 0, "succeeded": 1, "errored": 0, "canceled": 0, "expired": 0},
                "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z",
                "results_url": "https://elsewhere.example/results.jsonl",
            }))
        }),
    ))
    .await;
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(foreign)
        .api_key("k");
    let err = llm.batches().results("msgbatch_1").await.unwrap_err();
    assert!(
        matches!(
            err.area::<BatchError>(),
            Some(BatchError::ForeignResultsUrl { .. })
        ),
        "{err}"
    );
}
