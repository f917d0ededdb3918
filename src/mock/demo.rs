//! The model the examples run against: the real API with a key, else this mock.

use super::{MockReply, MockServer, RecordedRequest};
use crate::ChatAnthropic;

/// A model for examples and demos: the real API when `ANTHROPIC_API_KEY` is set, otherwise a
/// freshly started [`MockServer`] answering with `responder`, reached over real HTTP (a line
/// on stdout says so). Keep the returned server alive as long as the model is used.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// # std::env::remove_var("ANTHROPIC_API_KEY");
/// use chat_anthropic::mock::{real_or_mock, MockReply};
/// let (llm, _server) = real_or_mock("claude-sonnet-4-6", |_| MockReply::text("Hello!")).await;
/// assert_eq!(llm.invoke("Hi").await?.text(), "Hello!");
/// # Ok(()) }
/// ```
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
