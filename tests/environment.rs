//! The environment is read once, when a model is built, never at a request; a model built
//! without it reads none. One test in its own process: it sets process variables, which no
//! other test may see.

use chat_anthropic::settings::Environment;
use chat_anthropic::{error::ConfigReason, ChatAnthropic};
use chat_anthropic_mock::MockServer;

/// Sound here: this binary's one test changes variables only while no other thread reads the
/// environment (the mock's threads wait for a request; the client runs on this thread).
fn set_var(name: &str, value: impl AsRef<std::ffi::OsStr>) {
    // SAFETY: as above, no other thread reads or writes the environment meanwhile.
    unsafe { std::env::set_var(name, value) }
}

#[tokio::test]
async fn the_environment_is_read_when_the_model_is_built() {
    let server = MockServer::start().await;
    set_var("ANTHROPIC_API_KEY", "sk-at-build");
    set_var("ANTHROPIC_BASE_URL", server.base_url());
    let built = ChatAnthropic::new("claude-sonnet-4-6");
    let isolated = ChatAnthropic::new("claude-sonnet-4-6").without_environment();
    set_var("ANTHROPIC_API_KEY", "sk-changed-later");
    set_var("ANTHROPIC_BASE_URL", "http://127.0.0.1:9");

    built.invoke("Hi").await.unwrap();
    assert_eq!(server.requests()[0].headers["x-api-key"], "sk-at-build");

    // The variables are set, yet the isolated model sees none of them.
    let err = isolated.invoke("Hi").await.unwrap_err();
    assert_eq!(err.config_reason(), Some(ConfigReason::MissingCredentials));

    // A snapshot given in code replaces the one read; a key given in code wins over both.
    let given = Environment::empty()
        .with("ANTHROPIC_API_KEY", "sk-given")
        .with("ANTHROPIC_BASE_URL", server.base_url());
    ChatAnthropic::new("claude-sonnet-4-6")
        .environment(given.clone())
        .invoke("Hi")
        .await
        .unwrap();
    ChatAnthropic::new("claude-sonnet-4-6")
        .environment(given)
        .api_key("sk-code")
        .invoke("Hi")
        .await
        .unwrap();
    let keys: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.headers["x-api-key"].clone())
        .collect();
    assert_eq!(keys, ["sk-at-build", "sk-given", "sk-code"]);
    assert_eq!(
        server.requests().len(),
        3,
        "the isolated model sent nothing"
    );
}
