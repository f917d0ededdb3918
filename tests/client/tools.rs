//! Tools over real HTTP against the mock server: definitions and `tool_choice` in the request
//! body, parallel and zero-argument calls, invalid input, acting on a call before the message
//! ends, structured output in both modes, and an agent loop's request bodies.

use std::time::Duration;

use chat_anthropic::structured::{StructuredChunk, StructuredMethod};
use chat_anthropic::tools::ToolDefinition;
use chat_anthropic::{
    ChatAnthropic, ContentBlock, Error, HumanMessage, Message, MessageContent, StreamUpdate, Tool,
    ToolChoice, ToolMessage,
};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

/// Get the current weather in a given location
#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
struct GetWeather {
    /// The city and state, e.g. San Francisco, CA
    location: String,
}

/// A trip plan.
#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
struct Trip {
    /// Where to.
    destination: String,
    /// How many nights, if decided.
    nights: Option<u32>,
    transport: Transport,
    stops: Vec<Stop>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Transport {
    Train,
    Plane,
}

#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
struct Stop {
    city: String,
    nights: u32,
}

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("sk-test")
}

fn trip_json() -> serde_json::Value {
    json!({
        "destination": "Lisbon",
        "nights": null,
        "transport": "train",
        "stops": [{"city": "Madrid", "nights": 2}, {"city": "Porto", "nights": 1}]
    })
}

fn expected_trip() -> Trip {
    Trip {
        destination: "Lisbon".into(),
        nights: None,
        transport: Transport::Train,
        stops: vec![
            Stop {
                city: "Madrid".into(),
                nights: 2,
            },
            Stop {
                city: "Porto".into(),
                nights: 1,
            },
        ],
    }
}

/// The seed's question answered with text and two parallel `GetWeather` calls.
fn both_cities(la_id: &str, ny_id: &str) -> MockScript {
    MockScript::new()
        .text("Let me check both.")
        .tool_use(la_id, "GetWeather", json!({"location": "Los Angeles, CA"}))
        .tool_use(ny_id, "GetWeather", json!({"location": "New York, NY"}))
}

#[tokio::test]
async fn the_seeds_get_weather_tool_is_sent_and_its_call_parsed() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(both_cities("toolu_01", "toolu_02")));
    let llm = model(&server).bind_tools([Tool::from_type::<GetWeather>()]);
    let reply = llm
        .invoke("Which city is hotter today: LA or NY?")
        .await
        .unwrap();

    let sent = &server.requests()[0].body;
    assert_eq!(
        sent["tools"],
        json!([{
            "name": "GetWeather",
            "description": "Get the current weather in a given location",
            "input_schema": {
                "type": "object",
                "properties": {"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"}},
                "required": ["location"]
            }
        }])
    );
    assert!(sent.get("tool_choice").is_none());

    // As in the seed: content is the list of blocks, tool_calls the standardized calls.
    let MessageContent::Blocks(blocks) = &reply.content else {
        panic!("tool use gives a list of blocks: {:?}", reply.content)
    };
    assert_eq!(blocks.len(), 3);
    assert!(
        matches!(&blocks[1], ContentBlock::ToolUse(call) if call.input["location"] == "Los Angeles, CA")
    );
    let calls: Vec<(String, GetWeather, String)> = reply
        .tool_calls
        .iter()
        .map(|c| (c.name.clone(), c.parse().unwrap(), c.id.clone()))
        .collect();
    assert_eq!(
        calls,
        [
            (
                "GetWeather".into(),
                GetWeather {
                    location: "Los Angeles, CA".into()
                },
                "toolu_01".into()
            ),
            (
                "GetWeather".into(),
                GetWeather {
                    location: "New York, NY".into()
                },
                "toolu_02".into()
            ),
        ]
    );
    assert!(reply.invalid_tool_calls.is_empty());
}

#[tokio::test]
async fn nested_optional_and_enum_types_make_a_schema_the_server_accepts() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(MockScript::new().tool_use(
        "toolu_1",
        "Trip",
        trip_json(),
    )));
    let llm = model(&server).bind_tools([Tool::from_type::<Trip>().strict(true)]);
    let reply = llm.invoke("Plan a trip").await.unwrap();
    assert_eq!(
        reply.tool_calls[0].parse::<Trip>().unwrap(),
        expected_trip()
    );

    let tool = &server.requests()[0].body["tools"][0];
    assert_eq!(tool["strict"], true);
    let schema = &tool["input_schema"];
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        schema["required"],
        json!(["destination", "transport", "stops"])
    );
    assert_eq!(
        schema["properties"]["nights"]["type"],
        json!(["integer", "null"])
    );
    assert_eq!(
        schema["$defs"]["Transport"]["enum"],
        json!(["train", "plane"])
    );
    assert_eq!(schema["$defs"]["Stop"]["additionalProperties"], false);
}

#[tokio::test]
async fn every_tool_choice_lands_in_the_body_as_the_api_spells_it() {
    let server = MockServer::start().await;
    let tools = [
        ToolDefinition::from(Tool::from_type::<GetWeather>()),
        ToolDefinition::from(
            json!({"type": "web_search_20250305", "name": "web_search", "max_uses": 1}),
        ),
    ];
    let cases = [
        (ToolChoice::auto(), json!({"type": "auto"})),
        (ToolChoice::any(), json!({"type": "any"})),
        (
            ToolChoice::tool("GetWeather"),
            json!({"type": "tool", "name": "GetWeather"}),
        ),
        (ToolChoice::none(), json!({"type": "none"})),
        (
            ToolChoice::any().disable_parallel_tool_use(),
            json!({"type": "any", "disable_parallel_tool_use": true}),
        ),
        (
            ToolChoice::from("GetWeather"),
            json!({"type": "tool", "name": "GetWeather"}),
        ),
    ];
    for (choice, _) in &cases {
        model(&server)
            .bind_tools(tools.clone())
            .tool_choice(choice.clone())
            .invoke("Weather in Paris?")
            .await
            .unwrap();
    }
    let requests = server.requests();
    for ((_, expected), request) in cases.iter().zip(&requests) {
        assert_eq!(&request.body["tool_choice"], expected);
        assert_eq!(request.body["tools"][1]["type"], "web_search_20250305");
    }
}

#[tokio::test]
async fn a_forced_tool_with_thinking_is_refused_by_the_server_like_the_api_does() {
    let server = MockServer::start().await;
    let err = model(&server)
        .max_tokens(4096)
        .thinking(chat_anthropic::settings::Thinking::enabled(2048))
        .bind_tools([Tool::from_type::<GetWeather>()])
        .tool_choice("GetWeather")
        .invoke("Weather?")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("forces tool use"), "{err}");
}

#[tokio::test]
async fn a_tool_without_arguments_gets_an_empty_object() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new().tool_use_raw("toolu_1", "get_time", ""),
    ));
    let llm = model(&server).bind_tools([Tool::new(
        "get_time",
        json!({"type": "object", "properties": {}}),
    )]);
    let reply = llm.invoke("What time is it?").await.unwrap();
    assert_eq!(reply.tool_calls[0].args, json!({}));
    assert!(reply.invalid_tool_calls.is_empty());
}

#[tokio::test]
async fn invalid_tool_json_becomes_an_invalid_tool_call_with_the_raw_text() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .tool_use_raw("toolu_1", "GetWeather", r#"{"location": "Paris"#)
            .tool_use("toolu_2", "GetWeather", json!({"location": "Rome"})),
    ));
    let llm = model(&server).bind_tools([Tool::from_type::<GetWeather>()]);
    let reply = llm.invoke("Weather?").await.unwrap();
    assert_eq!(reply.tool_calls.len(), 1);
    assert_eq!(reply.tool_calls[0].id, "toolu_2");
    let invalid = &reply.invalid_tool_calls[0];
    assert_eq!(invalid.id.as_deref(), Some("toolu_1"));
    assert_eq!(invalid.name.as_deref(), Some("GetWeather"));
    assert_eq!(invalid.args.as_deref(), Some(r#"{"location": "Paris"#));
    assert!(invalid.error.as_deref().unwrap().contains("EOF"));
}

#[tokio::test]
async fn a_finished_tool_call_can_be_acted_on_before_the_message_ends() {
    let server = MockServer::start().await;
    let script = MockScript::new()
        .tool_use(
            "toolu_1",
            "write_file",
            json!({"path": "notes.txt", "content": "first line\nsecond line"}),
        )
        .text("Written.");
    // Cut the stream right after the tool call's `content_block_stop`: the rest (and
    // `message_stop`) never comes.
    let body = sse_of(&server, &script).await;
    let (cut, _) = body
        .match_indices("event: content_block_start")
        .nth(1)
        .unwrap();
    server.enqueue(MockReply::sse_bytes(body.clone()).stall_after_bytes(cut));
    let llm = model(&server)
        .timeout(Duration::from_secs(30))
        .bind_tools([Tool::new("write_file", json!({"type": "object"}))]);
    let mut updates = llm.stream("Write notes.txt").await.unwrap().updates();

    let mut started = None;
    let mut content_pieces = Vec::new();
    let mut live_snapshots = Vec::new();
    let done = loop {
        let update = tokio::time::timeout(Duration::from_secs(10), updates.next())
            .await
            .expect("the tool call completes without the rest of the stream")
            .unwrap()
            .unwrap();
        match update {
            StreamUpdate::ToolCallStarted { index, id, name } => started = Some((index, id, name)),
            StreamUpdate::ToolArgDelta { pointer, text, .. } if pointer == "/content" => {
                content_pieces.push(text)
            }
            StreamUpdate::ToolArgs { index, .. } => {
                live_snapshots.push(updates.aggregator().tool_input(index).unwrap().clone())
            }
            StreamUpdate::ToolCallDone { call, .. } => break call,
            _ => {}
        }
    };
    assert_eq!(started, Some((0, "toolu_1".into(), "write_file".into())));
    assert!(!updates.aggregator().is_complete());
    assert_eq!(done.args["content"], "first line\nsecond line");
    assert!(
        content_pieces.len() > 2,
        "the content streamed in pieces: {content_pieces:?}"
    );
    assert_eq!(content_pieces.concat(), "first line\nsecond line");
    // The live value grew: a path first, then a content that only ever got longer.
    let contents: Vec<&str> = live_snapshots
        .iter()
        .filter_map(|v| v.get("content").and_then(|c| c.as_str()))
        .collect();
    assert!(contents.windows(2).all(|w| w[1].starts_with(w[0])));
    drop(updates);
    assert!(
        server
            .wait_for_cancelled_stream(Duration::from_secs(5))
            .await
    );
}

/// The SSE body the mock sends for `script`.
async fn sse_of(server: &MockServer, script: &MockScript) -> String {
    server.enqueue(MockReply::script(script.clone()));
    reqwest::Client::new()
        .post(format!("{}/v1/messages", server.base_url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01")
        .json(&json!({"model": "claude-sonnet-4-6", "max_tokens": 100, "stream": true, "messages": [{"role": "user", "content": "x"}]}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn tool_call_chunks_add_up_to_the_tool_calls() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .tool_use("toolu_1", "GetWeather", json!({"location": "Paris, FR"}))
            .tool_use("toolu_2", "GetWeather", json!({"location": "Oslo, NO"})),
    ));
    let llm = model(&server).bind_tools([Tool::from_type::<GetWeather>()]);
    let mut chunks = llm.stream("Weather?").await.unwrap().chunks();
    let mut sum = chat_anthropic::AIMessageChunk::default();
    let mut pieces = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.unwrap();
        pieces += chunk.tool_call_chunks.len();
        sum += chunk;
    }
    assert!(pieces > 4);
    let args: Vec<&str> = sum
        .tool_call_chunks
        .iter()
        .map(|c| c.args.as_deref().unwrap())
        .collect();
    assert_eq!(
        args,
        [r#"{"location":"Paris, FR"}"#, r#"{"location":"Oslo, NO"}"#]
    );
    let message = sum.into_message();
    assert_eq!(message.tool_calls[1].args["location"], "Oslo, NO");
}

#[tokio::test]
async fn structured_output_by_tool_calling_forces_the_tool_and_returns_the_type() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(MockScript::new().tool_use(
        "toolu_1",
        "Trip",
        trip_json(),
    )));
    let trip: Trip = model(&server)
        .with_structured_output::<Trip>()
        .invoke("Plan a trip to Lisbon by train")
        .await
        .unwrap();
    assert_eq!(trip, expected_trip());
    let sent = &server.requests()[0].body;
    assert_eq!(sent["tool_choice"], json!({"type": "tool", "name": "Trip"}));
    assert_eq!(sent["tools"][0]["name"], "Trip");
    assert_eq!(sent["tools"][0]["description"], "A trip plan.");
}

#[tokio::test]
async fn structured_output_with_thinking_offers_the_tool_without_forcing_it() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .thinking("A train trip.", "sig")
            .tool_use("toolu_1", "Trip", trip_json()),
    ));
    let trip = model(&server)
        .max_tokens(4096)
        .thinking(chat_anthropic::settings::Thinking::enabled(2048))
        .with_structured_output::<Trip>()
        .invoke("Plan a trip")
        .await
        .unwrap();
    assert_eq!(trip, expected_trip());
    assert_eq!(
        server.requests()[0].body["tool_choice"],
        json!({"type": "auto"})
    );
}

#[tokio::test]
async fn structured_output_in_native_json_schema_mode() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text(trip_json().to_string()));
    let structured = model(&server)
        .model_kwarg("output_config", json!({"effort": "low"}))
        .with_structured_output::<Trip>()
        .method(StructuredMethod::JsonSchema);
    assert_eq!(
        structured.invoke("Plan a trip").await.unwrap(),
        expected_trip()
    );
    let sent = &server.requests()[0].body;
    assert!(sent.get("tools").is_none() && sent.get("tool_choice").is_none());
    let config = &sent["output_config"];
    assert_eq!(config["effort"], "low", "kwargs merge into output_config");
    assert_eq!(config["format"]["type"], "json_schema");
    let schema = &config["format"]["schema"];
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["$defs"]["Stop"]["additionalProperties"], false);
    assert_eq!(
        schema["properties"]["destination"]["description"],
        "Where to."
    );
}

#[tokio::test]
async fn a_reply_that_does_not_fit_is_a_parsing_error_with_the_raw_message() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(MockScript::new().tool_use(
        "toolu_1",
        "Trip",
        json!({"destination": "Lisbon"}),
    )));
    server.enqueue(MockReply::text("Sorry, I can't plan trips."));
    let structured = model(&server).with_structured_output::<Trip>();

    let response = structured.invoke_with_raw("Plan a trip").await.unwrap();
    assert!(response.parsed.is_none());
    assert!(
        response
            .parsing_error
            .as_deref()
            .unwrap()
            .contains("missing field `transport`"),
        "{:?}",
        response.parsing_error
    );
    assert_eq!(response.raw.tool_calls[0].args["destination"], "Lisbon");

    let err = structured.invoke("Plan a trip").await.unwrap_err();
    let Error::Structured(structured) = err else {
        panic!("{err:?}")
    };
    let message = structured.message();
    assert!(message.contains("no `Trip` tool call"), "{message}");
    assert_eq!(structured.raw().text(), "Sorry, I can't plan trips.");
}

#[tokio::test]
async fn structured_output_streams_partial_snapshots_then_the_value() {
    for method in [StructuredMethod::ToolCalling, StructuredMethod::JsonSchema] {
        let server = MockServer::start().await;
        server.enqueue(match method {
            StructuredMethod::ToolCalling => {
                MockReply::script(MockScript::new().tool_use("toolu_1", "Trip", trip_json()))
            }
            _ => MockReply::script(
                MockScript::new().text(serde_json::to_string_pretty(&trip_json()).unwrap()),
            ),
        });
        let mut stream = model(&server)
            .with_structured_output::<Trip>()
            .method(method)
            .stream("Plan a trip")
            .await
            .unwrap();
        let mut partials = Vec::new();
        let mut complete = None;
        while let Some(chunk) = stream.next().await {
            match chunk.unwrap() {
                StructuredChunk::Partial(value) => partials.push(value),
                StructuredChunk::Complete(trip) => complete = Some(trip),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(complete, Some(expected_trip()), "{method:?}");
        assert!(partials.len() > 3, "{method:?}: {}", partials.len());
        // A destination that is still streaming shows up cut, never wrong.
        for partial in &partials {
            if let Some(destination) = partial.get("destination").and_then(|d| d.as_str()) {
                assert!("Lisbon".starts_with(destination), "{destination}");
            }
        }
        assert_eq!(partials.last().unwrap(), &trip_json(), "{method:?}");
        // A snapshot only when the value changed: fragments of whitespace, of a key or of a
        // number hand out none.
        for pair in partials.windows(2) {
            assert_ne!(
                pair[0], pair[1],
                "{method:?}: a snapshot repeats the one before"
            );
        }
    }
}

#[tokio::test]
async fn the_agent_loop_sends_tool_results_back_the_way_the_api_requires() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(both_cities("toolu_la", "toolu_ny")));
    server.enqueue(MockReply::text("LA is hotter today: 27°C against 18°C."));
    let llm = model(&server).bind_tools([Tool::from_type::<GetWeather>()]);

    let mut conversation: Vec<Message> =
        vec![HumanMessage::new("Which city is hotter today: LA or NY?").into()];
    let answer = loop {
        let reply = llm.invoke(conversation.clone()).await.unwrap();
        let calls = reply.tool_calls.clone();
        conversation.push(reply.clone().into());
        if calls.is_empty() {
            break reply;
        }
        for call in calls {
            let args: GetWeather = call.parse().unwrap();
            let temperature = if args.location.starts_with("Los") {
                27
            } else {
                18
            };
            conversation.push(ToolMessage::new(format!("{temperature}°C"), call.id).into());
        }
    };
    assert_eq!(answer.text(), "LA is hotter today: 27°C against 18°C.");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].body["messages"],
        json!([
            {"role": "user", "content": "Which city is hotter today: LA or NY?"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Let me check both."},
                {"type": "tool_use", "id": "toolu_la", "name": "GetWeather", "input": {"location": "Los Angeles, CA"}},
                {"type": "tool_use", "id": "toolu_ny", "name": "GetWeather", "input": {"location": "New York, NY"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_la", "content": "27°C"},
                {"type": "tool_result", "tool_use_id": "toolu_ny", "content": "18°C"}
            ]}
        ])
    );
    assert_eq!(requests[1].body["tools"], requests[0].body["tools"]);
}

#[tokio::test]
async fn a_failed_tool_is_reported_with_is_error() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("The weather service is down."));
    let llm = model(&server).bind_tools([Tool::from_type::<GetWeather>()]);
    let call = chat_anthropic::ToolCall::new("GetWeather", json!({"location": "Paris"}), "toolu_1");
    let mut earlier = chat_anthropic::AIMessage::new("");
    earlier.tool_calls.push(call);
    llm.invoke(vec![
        Message::from(HumanMessage::new("Weather in Paris?")),
        earlier.into(),
        ToolMessage::error("service unavailable", "toolu_1").into(),
    ])
    .await
    .unwrap();
    assert_eq!(
        server.requests()[0].body["messages"][2]["content"][0],
        json!({"type": "tool_result", "tool_use_id": "toolu_1", "content": "service unavailable", "is_error": true})
    );
}
