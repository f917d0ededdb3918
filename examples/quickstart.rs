//! The LangChain `ChatAnthropic` walkthrough, in Rust: instantiate, invoke, stream, chain.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `ANTHROPIC_API_KEY` set it calls the real API. Without it, it starts the crate's
//! local mock Messages server and talks to it over real HTTP (scripted translations), so it
//! runs offline.

mod common;

use std::io::Write;

use chat_anthropic::{prompt::ChatPromptTemplate, prompt::PromptArgs, AIMessage};
use chat_anthropic_mock::{MockReply, RecordedRequest};
use common::real_or_mock;
use futures_util::StreamExt;

const MODEL: &str = "claude-sonnet-4-6";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Instantiation. Keep the mock alive for the whole run when there is no key.
    let (llm, _mock) = real_or_mock(MODEL, scripted_translation).await;
    let llm = llm.temperature(0.0).max_tokens(1024).max_retries(2);

    // Invocation.
    let messages = [
        (
            "system",
            "You are a helpful assistant that translates English to French. Translate the user sentence.",
        ),
        ("human", "I love programming."),
    ];
    let ai_msg = llm.invoke(messages).await?;
    println!("== invoke\n{}", ai_msg.text());
    println!("{}\n", summary(&ai_msg));
    // Everything else (content blocks, raw usage, response fields) is in `ai_msg`:
    // `{ai_msg:#?}` prints it all, and it serializes with serde.

    // Streaming, token by token.
    println!("== stream");
    let mut pieces = llm.stream(messages).await?.text();
    while let Some(piece) = pieces.next().await {
        print!("{}|", piece?);
        std::io::stdout().flush()?;
    }
    println!("\n");

    // Chaining a prompt template into the model.
    let prompt = ChatPromptTemplate::from_messages([
        (
            "system",
            "You are a helpful assistant that translates {input_language} to {output_language}.",
        ),
        ("human", "{input}"),
    ])?;
    let chain = prompt | llm;
    let reply = chain
        .invoke(PromptArgs::from([
            ("input_language", "English"),
            ("output_language", "German"),
            ("input", "I love programming."),
        ]))
        .await?;
    println!("== chain\n{}", reply.text());
    Ok(())
}

/// One line about a reply: who answered, why it stopped, what it cost.
fn summary(reply: &AIMessage) -> String {
    let meta = &reply.response_metadata;
    let stop = meta
        .stop_reason
        .as_ref()
        .map_or("-", |reason| reason.as_str());
    let usage = reply
        .usage_metadata
        .as_ref()
        .map_or_else(String::new, |usage| {
            format!(
                " · {} tokens in, {} out",
                usage.input_tokens, usage.output_tokens
            )
        });
    format!("({} · {} · stop: {stop}{usage})", meta.model, meta.id)
}

/// The mock's script: known translations of the walkthrough's sentence, by target language.
fn scripted_translation(request: &RecordedRequest) -> MockReply {
    let system = request.body["system"].as_str().unwrap_or_default();
    let translations = [
        ("French", "J'adore la programmation."),
        ("German", "Ich liebe das Programmieren."),
    ];
    let reply = translations
        .iter()
        .find(|(language, _)| system.contains(&format!("to {language}")))
        .map_or(
            "(the mock only knows the walkthrough's translations)",
            |(_, text)| text,
        );
    MockReply::text(reply)
}
