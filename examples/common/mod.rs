//! What every example starts with: a model on the real API when `ANTHROPIC_API_KEY` is set,
//! else on a local mock of it (the workspace's `chat-anthropic-mock` crate).

use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockServer, RecordedRequest};

/// A model for examples and demos: the real API when `ANTHROPIC_API_KEY` is set, otherwise a
/// freshly started [`MockServer`] answering with `responder`, reached over real HTTP (a line
/// on stdout says so). Keep the returned server alive as long as the model is used.
pub async fn real_or_mock(
    model: impl Into<String>,
    responder: impl Fn(&RecordedRequest) -> MockReply + Send + Sync + 'static,
) -> (ChatAnthropic, Option<MockServer>) {
    let model = ChatAnthropic::new(model);
    if std::env::var("ANTHROPIC_API_KEY").is_ok_and(|key| !key.is_empty()) {
        return (model, None);
    }
    let server = MockServer::start().await;
    server.set_responder(responder);
    println!(
        "No ANTHROPIC_API_KEY set: using the built-in mock Messages server at {} (real HTTP, scripted replies).\n",
        server.base_url()
    );
    let model = model.base_url(server.base_url()).api_key("mock-key");
    (model, Some(server))
}
