//! `with_structured_output`: the reply as a typed value.

use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::StructuredStream;
use crate::chat_model::ChatAnthropic;
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::{AIMessage, IntoMessages};
use crate::tools::{schema, Tool, ToolChoice};

/// How the model is made to answer with `T`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum StructuredMethod {
    /// Force a call to a tool whose input schema is `T`'s (LangChain's default). With
    /// extended thinking on, or on a model whose [`ModelProfile`](crate::settings::ModelProfile) refuses
    /// a forced `tool_choice`, the tool is offered with `tool_choice: auto` instead.
    #[default]
    ToolCalling,
    /// The API's native structured output: `output_config.format = {type: "json_schema",
    /// schema}`; the reply is a text block holding the JSON (constrained decoding, strict
    /// schema). The type's doc comment is the schema's root `description`, its fields' docs
    /// their `description`s.
    JsonSchema,
}

/// A model that answers with a `T`. Made by
/// [`ChatAnthropic::with_structured_output`](crate::ChatAnthropic::with_structured_output).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::structured::StructuredMethod;
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockScript, MockServer};
///
/// /// A person.
/// #[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
/// struct Person { name: String, born: u32 }
///
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// // The two replies: a call of the `Person` tool, then the JSON as text.
/// server.enqueue(MockReply::script(MockScript::new()
///     .tool_use("toolu_1", "Person", serde_json::json!({"name": "Ada", "born": 1815}))));
/// server.enqueue(MockReply::text(r#"{"name": "Alan", "born": 1912}"#));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let ada: Person = llm.with_structured_output::<Person>().invoke("Who wrote the first program?").await?;
/// assert_eq!(ada, Person { name: "Ada".into(), born: 1815 });
///
/// let native = llm.with_structured_output::<Person>().method(StructuredMethod::JsonSchema);
/// assert_eq!(native.invoke("Who broke Enigma?").await?.born, 1912);
/// # Ok(()) }
/// ```
pub struct StructuredModel<T> {
    base: ChatAnthropic,
    method: StructuredMethod,
    tool: Tool,
    _output: PhantomData<fn() -> T>,
}

/// The reply, the value parsed from it, and why parsing failed if it did: LangChain's
/// `include_raw=True`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StructuredResponse<T> {
    /// The model's message as it came.
    pub raw: AIMessage,
    /// The value, when the reply held a valid one.
    pub parsed: Option<T>,
    /// Why there is no value.
    pub parsing_error: Option<String>,
}

impl<T> StructuredResponse<T> {
    /// The value, or [`Error::Structured`] with the parsing error and the raw message.
    pub fn into_result(self) -> Result<T, Error> {
        self.parsed.ok_or_else(|| {
            Error::Structured(crate::error::StructuredError::new(
                self.parsing_error.unwrap_or_default(),
                self.raw,
            ))
        })
    }
}

impl<T> Clone for StructuredModel<T> {
    fn clone(&self) -> Self {
        Self {
            base: self.base.clone(),
            method: self.method,
            tool: self.tool.clone(),
            _output: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for StructuredModel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StructuredModel")
            .field("model", &self.base)
            .field("method", &self.method)
            .field("schema", &self.tool.name)
            .finish()
    }
}

impl ChatAnthropic {
    /// A model that answers with a `T` (deserialized and checked by serde), by forcing a tool
    /// call whose schema is `T`'s, or with [`StructuredMethod::JsonSchema`] the API's native
    /// JSON output.
    pub fn with_structured_output<T: JsonSchema + DeserializeOwned>(&self) -> StructuredModel<T> {
        StructuredModel {
            base: self.clone(),
            method: StructuredMethod::default(),
            tool: Tool::from_type::<T>(),
            _output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> StructuredModel<T> {
    /// Chooses how the model is made to answer with `T`.
    pub fn method(mut self, method: StructuredMethod) -> Self {
        self.method = method;
        self
    }

    /// The model exactly as it is sent: with the tool and `tool_choice`, or with
    /// `output_config.format`.
    pub fn model(&self) -> ChatAnthropic {
        match self.method {
            StructuredMethod::ToolCalling => {
                // A forced tool is refused with thinking on, and by models whose profile
                // says so; the tool is offered with `auto` there instead.
                let config = self.base.config();
                let may_force = config.thinking.is_none()
                    && config.model_profile().is_none_or(|p| p.tool_choice);
                let choice = if may_force {
                    ToolChoice::tool(&self.tool.name)
                } else {
                    ToolChoice::auto()
                };
                self.base
                    .bind_tools([self.tool.clone()])
                    .tool_choice(choice)
            }
            StructuredMethod::JsonSchema => {
                let mut schema = self.tool.input_schema.clone();
                // The type's doc comment says what the value is for: keep it in the schema
                // the model reads, as the root `description` (field docs are there already).
                if let (Some(description), Value::Object(root)) =
                    (&self.tool.description, &mut schema)
                {
                    root.entry("description")
                        .or_insert_with(|| Value::from(description.clone()));
                }
                schema::close_objects(&mut schema);
                self.base
                    .clone()
                    .output_format(json!({"type": "json_schema", "schema": schema}))
            }
        }
    }

    /// Asks and returns the value; a reply without a valid `T` is
    /// [`Error::Structured`] carrying the raw message.
    pub async fn invoke(&self, input: impl IntoMessages) -> Result<T, Error> {
        self.invoke_with_raw(input).await?.into_result()
    }

    /// Asks and returns the raw reply next to the parsed value or the parsing error
    /// (LangChain's `include_raw=True`): a malformed answer is data here, not an error.
    pub async fn invoke_with_raw(
        &self,
        input: impl IntoMessages,
    ) -> Result<StructuredResponse<T>, Error> {
        let raw = self.model().invoke(input).await?;
        Ok(self.parse(raw))
    }

    /// Runs many inputs, at most `concurrency` at a time; results in input order.
    pub async fn batch<I: IntoMessages>(
        &self,
        inputs: impl IntoIterator<Item = I>,
        concurrency: usize,
    ) -> Vec<Result<T, Error>> {
        crate::chat_model::run_ordered(
            inputs.into_iter().map(|input| self.invoke(input)),
            concurrency,
        )
        .await
    }

    /// Streams snapshots of the partial value as its JSON arrives (for UIs), then the
    /// finished `T`.
    pub async fn stream(&self, input: impl IntoMessages) -> Result<StructuredStream<T>, Error> {
        let stream = self.model().stream(input).await?;
        Ok(self.read(stream))
    }

    /// Reads a reply that is already streaming (or a recording replayed with
    /// [`ChatStream::replay`]) as this structured output: the same snapshots, then the `T`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::structured::StructuredChunk;
    /// use chat_anthropic::{ChatAnthropic, ChatStream, ReplayPace};
    /// use futures_util::StreamExt;
    ///
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// #[schemars(rename = "plan_trip")]
    /// struct Trip { itinerary: serde_json::Value }
    ///
    /// let recording = "tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse";
    /// let model = ChatAnthropic::new("claude-sonnet-4-6").with_structured_output::<Trip>();
    /// let mut stream = model.read(ChatStream::replay(recording, ReplayPace::Instant)?);
    /// let (mut partials, mut trip) = (0, None);
    /// while let Some(chunk) = stream.next().await {
    ///     match chunk? {
    ///         StructuredChunk::Partial(_) => partials += 1,
    ///         StructuredChunk::Complete(value) => trip = Some(value),
    ///         _ => {}
    ///     }
    /// }
    /// assert!(partials > 1);
    /// assert_eq!(trip.unwrap().itinerary["city"], "Kyoto");
    /// # Ok(()) }
    /// ```
    pub fn read(&self, stream: ChatStream) -> StructuredStream<T> {
        StructuredStream::new(stream, self.clone())
    }

    /// The value in a finished reply.
    pub(crate) fn parse(&self, raw: AIMessage) -> StructuredResponse<T> {
        let parsed = self.value_in(&raw).and_then(|value| {
            T::deserialize(value).map_err(|err| format!("the reply does not fit the type: {err}"))
        });
        match parsed {
            Ok(value) => StructuredResponse {
                raw,
                parsed: Some(value),
                parsing_error: None,
            },
            Err(error) => StructuredResponse {
                raw,
                parsed: None,
                parsing_error: Some(error),
            },
        }
    }

    /// The JSON the reply answers with.
    fn value_in(&self, raw: &AIMessage) -> Result<Value, String> {
        let name = &self.tool.name;
        match self.method {
            StructuredMethod::ToolCalling => {
                if let Some(call) = raw.tool_calls.iter().find(|c| &c.name == name) {
                    return Ok(call.args.clone());
                }
                match raw
                    .invalid_tool_calls
                    .iter()
                    .find(|c| c.name.as_deref() == Some(name))
                {
                    Some(invalid) => Err(format!(
                        "the `{name}` tool call's input is not valid JSON: {}",
                        invalid.error.as_deref().unwrap_or("unknown error")
                    )),
                    None => Err(format!("the reply has no `{name}` tool call")),
                }
            }
            StructuredMethod::JsonSchema => serde_json::from_str(&raw.text())
                .map_err(|err| format!("the reply is not valid JSON: {err}")),
        }
    }

    pub(crate) fn method_used(&self) -> StructuredMethod {
        self.method
    }

    pub(crate) fn tool_name(&self) -> &str {
        &self.tool.name
    }
}
