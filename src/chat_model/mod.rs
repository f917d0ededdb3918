//! `ChatAnthropic`: the model, its settings, and `invoke` / `stream` / `batch`.
//!
//! Its methods by file: here the constructors, the common settings and the calls; every
//! setting is held in one [`ModelSettings`] (`model_settings.rs`); `fields.rs` the builders
//! of newer request fields; `credentials.rs` refreshing credentials; `observability.rs`
//! content capture; `cache_warm.rs` cache warming; `target.rs` and `vertex.rs` where a
//! request goes; `resource.rs` the requests beside Messages. Each area adds its entry point
//! in its own module: `files()`, `models()`, `batches()`, `with_structured_output()`.

mod bound_tools;
mod browser;
mod cache_warm;
mod credentials;
mod fields;
mod model_settings;
mod observability;
mod open;
mod resource;
mod target;
mod vertex;

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

pub use crate::settings::ApiKey;
pub(crate) use resource::ApiCall;

use open::Opener;

use crate::aggregate::MessageAggregator;
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::{AIMessage, IntoMessages, Message};
use crate::request::{self, Endpoint};
use crate::settings::{ChatAnthropicConfig, Environment, Platform, Thinking};
use crate::settings::{
    ANTHROPIC_VERSION, BATCH_RATE_LIMIT_RETRIES, DEFAULT_BASE_URL, DEFAULT_BATCH_CONCURRENCY,
};
use crate::telemetry::RunLabels;
use crate::transport::limiter::RateLimiter;
use crate::transport::{self, SendPolicy};
use bound_tools::BoundTools;
use model_settings::ModelSettings;

/// A chat model on Anthropic's Messages API — the Rust `ChatAnthropic`.
///
/// Everything is a stream: [`stream`](Self::stream) returns the typed events as they arrive,
/// and [`invoke`](Self::invoke) is that same stream folded into an [`AIMessage`]. Settings are
/// chained like LangChain's constructor arguments; the API key defaults to
/// `ANTHROPIC_API_KEY` and the base URL to `ANTHROPIC_BASE_URL`. The environment is read
/// once, when the model is built ([`new`](Self::new), [`from_config`](Self::from_config)),
/// never at a request: [`environment`](Self::environment) replaces that snapshot, and
/// [`without_environment`](Self::without_environment) builds a model that reads none of it.
///
/// Every setting but the secrets and credential sources is in [`config`](Self::config)
/// (serializable). The areas' clients come from the model and share its settings:
/// [`models`](Self::models), and with their features `files()`, `batches()` and
/// `with_structured_output()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::text("J'adore la programmation."));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .temperature(0.0)
///     .max_tokens(1024)
///     .max_retries(2)
///     .base_url(server.base_url())
///     .api_key("test-key");
/// let reply = llm.invoke([
///     ("system", "You are a helpful assistant that translates English to French. Translate the user sentence."),
///     ("human", "I love programming."),
/// ]).await?;
/// assert_eq!(reply.text(), "J'adore la programmation.");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ChatAnthropic {
    /// Every setting, stored or not, in one place.
    settings: ModelSettings,
    /// Built once per connect timeout; an error here is returned by every request.
    http: Result<reqwest::Client, crate::error::ConfigError>,
    pub(crate) tools: BoundTools,
    /// Shared by every clone: fed by each response's rate-limit headers and 429s.
    limiter: Arc<RateLimiter>,
}

impl std::fmt::Debug for ChatAnthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatAnthropic")
            .field("config", &self.settings.config)
            .field(
                "api_key",
                &self.settings.api_key.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "access_token",
                &self.settings.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "direct_browser_access",
                &self.settings.direct_browser_access,
            )
            .field("tools", &self.tools.tools.len())
            .finish()
    }
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $type:ty => $field:ident) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $type) -> Self {
            self.settings.config.$field = value.into();
            self
        }
    };
}

impl ChatAnthropic {
    /// A model with default settings: `max_tokens` the model's maximum output where its
    /// [`ModelProfile`](crate::settings::ModelProfile) is known (1024 otherwise), 2 retries, a
    /// 10-minute idle timeout.
    pub fn new(model: impl Into<String>) -> Self {
        Self::from_config(ChatAnthropicConfig {
            model: model.into(),
            ..ChatAnthropicConfig::default()
        })
    }

    /// A model from stored settings (the API key is never stored: set it again, or let it
    /// come from `ANTHROPIC_API_KEY`). Reads the environment ([`Environment::from_process`]).
    ///
    /// ```
    /// use chat_anthropic::ChatAnthropic;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6").temperature(0.2).stop_sequences(["END"]);
    /// let saved = serde_json::to_string(llm.config()).unwrap();
    /// let restored = ChatAnthropic::from_config(serde_json::from_str(&saved).unwrap());
    /// assert_eq!(restored.config(), llm.config());
    /// ```
    pub fn from_config(config: ChatAnthropicConfig) -> Self {
        let settings = ModelSettings::new(config);
        let http = transport::http_client(settings.config.connect_timeout, &settings.tls);
        Self {
            settings,
            http,
            tools: BoundTools::default(),
            limiter: Arc::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &ChatAnthropicConfig {
        &self.settings.config
    }

    /// The environment settings fall back on, in place of the one read when the model was
    /// built (a setting given in code still wins).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::settings::Environment;
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API, named by the environment given here.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let env = Environment::empty()
    ///     .with("ANTHROPIC_API_KEY", "sk-from-env")
    ///     .with("ANTHROPIC_BASE_URL", server.base_url());
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6").environment(env);
    /// llm.invoke("Hi").await?;
    /// assert_eq!(server.requests()[0].headers["x-api-key"], "sk-from-env");
    /// # Ok(()) }
    /// ```
    pub fn environment(mut self, env: Environment) -> Self {
        self.settings.env = Arc::new(env);
        self
    }

    /// This model reading nothing from the environment: every setting comes from code.
    ///
    /// ```
    /// use chat_anthropic::error::ConfigReason;
    /// use chat_anthropic::ChatAnthropic;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6").without_environment();
    /// let err = llm.invoke("Hi").await.unwrap_err(); // whatever ANTHROPIC_API_KEY holds
    /// assert_eq!(err.config_reason(), Some(ConfigReason::MissingCredentials));
    /// # }
    /// ```
    pub fn without_environment(self) -> Self {
        self.environment(Environment::empty())
    }

    /// The environment settings fall back on.
    pub(crate) fn env(&self) -> &Environment {
        &self.settings.env
    }

    setter!(/// The model name.
        model: impl Into<String> => model);
    setter!(/// The most tokens to generate. Unset, it is the model's maximum output from its
        /// [`ModelProfile`](crate::settings::ModelProfile) (safe, as every request streams), or 1024
        /// for a model without a profile; above the profile's maximum it is refused before
        /// sending. `0` generates nothing and only writes the prompt cache (see
        /// [`warm_cache`](Self::warm_cache)).
        max_tokens: u32 => max_tokens);
    setter!(/// Sampling temperature, 0 to 1.
        temperature: f64 => temperature);
    setter!(/// Top-k sampling.
        top_k: u32 => top_k);
    setter!(/// Nucleus sampling, 0 to 1.
        top_p: f64 => top_p);
    setter!(/// Retries before the first response byte (default 2).
        max_retries: u32 => max_retries);
    setter!(/// Extended thinking.
        thinking: Thinking => thinking);
    setter!(/// Whether streamed chunks carry `usage_metadata` (default true).
        stream_usage: bool => stream_usage);

    /// The idle timeout: the longest wait for the response, and then between bytes of the
    /// stream. Never a total deadline, so a long healthy stream is not cut.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.config.timeout = timeout.into();
        self
    }

    /// Whether a stream that fails before any content reached the caller is sent again
    /// (default true), within [`max_retries`](Self::max_retries) and with the same
    /// back-off. Until the first content arrives the client holds back `message_start`,
    /// `ping`s and empty block starts, so a re-send is invisible: the caller sees one
    /// message. It re-sends after a transient `error` event (`overloaded_error`,
    /// `api_error`), a dropped connection, a timeout or an early end, and never once content
    /// has been yielded.
    ///
    /// Billing: an attempt that failed may already have been billed for its input tokens
    /// (and any output generated but not delivered), and the re-send is billed as a new
    /// request. Turn this off to handle every failure yourself.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::ChatAnthropic;
    /// use chat_anthropic_mock::{MockReply, MockServer};
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = MockServer::start().await;
    /// // An overload reported after the first event, before any text.
    /// server.enqueue(MockReply::text("late").error_event_after(1, "overloaded_error", "Overloaded"));
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .retry_before_content(false)
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// let err = llm.invoke("Hi").await.unwrap_err();
    /// assert!(err.is_retryable(), "no content had arrived: the caller may send it again");
    /// # Ok(()) }
    /// ```
    pub fn retry_before_content(mut self, enabled: bool) -> Self {
        self.settings.config.retry_before_content = enabled;
        self
    }

    /// The stall watchdog: the longest gap between content-bearing events of a stream
    /// (`ping`s and SSE comments do not count; default: no limit). The idle
    /// [`timeout`](Self::timeout) is reset by every byte, so a server that keeps pinging
    /// while generation has stalled never trips it; this does, with a
    /// [`TimeoutPhase::Content`](crate::error::TimeoutPhase::Content) error that keeps the partial
    /// message (and is re-sent if no content had arrived, see
    /// [`retry_before_content`](Self::retry_before_content)).
    ///
    /// ```
    /// use std::time::Duration;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").stall_timeout(Duration::from_secs(60));
    /// assert_eq!(llm.config().stall_timeout, Some(Duration::from_secs(60)));
    /// ```
    pub fn stall_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.settings.config.stall_timeout = limit.into();
        self
    }

    /// The longest wait to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.config.connect_timeout = timeout;
        self.http = transport::http_client(timeout, &self.settings.tls);
        self
    }

    /// Trusts `cert` as a root besides the platform's (a private CA, a TLS-inspecting proxy);
    /// call it once per certificate. The TLS backend is the one the crate's features choose
    /// (README: "TLS"). A certificate the backend cannot use fails every request with
    /// [`ConfigReason::InvalidSetting`](crate::error::ConfigReason::InvalidSetting).
    ///
    /// ```
    /// use chat_anthropic::settings::RootCertificate;
    /// use chat_anthropic::ChatAnthropic;
    /// # fn main() -> Result<(), chat_anthropic::error::ConfigError> {
    /// // A CA made on the spot (rcgen); yours is read from a file: `std::fs::read("ca.pem")?`.
    /// let ca = rcgen::generate_simple_self_signed(["ca.example".to_owned()]).unwrap();
    /// let pem = ca.cert.pem();
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .add_root_certificate(RootCertificate::from_pem(pem.as_bytes())?);
    /// assert_eq!(llm.config().model, "claude-sonnet-4-6");
    /// # Ok(()) }
    /// ```
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub fn add_root_certificate(mut self, cert: crate::settings::RootCertificate) -> Self {
        self.settings.tls.roots.push(cert);
        self.http =
            transport::http_client(self.settings.config.connect_timeout, &self.settings.tls);
        self
    }

    /// The API key (default: `ANTHROPIC_API_KEY`, as read when the model was built).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.settings.api_key = Some(ApiKey::new(key));
        self
    }

    /// The base URL (default: `ANTHROPIC_BASE_URL`, else the public API).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.config.base_url = Some(url.into());
        self
    }

    /// Sequences that stop generation.
    pub fn stop_sequences<S: Into<String>>(mut self, stops: impl IntoIterator<Item = S>) -> Self {
        self.settings.config.stop_sequences = stops.into_iter().map(Into::into).collect();
        self
    }

    /// Where requests go ([`Platform::Anthropic`] by default).
    pub fn platform(mut self, platform: Platform) -> Self {
        self.settings.config.platform = platform;
        self
    }

    /// Google Vertex AI in `region` (`us-east5`, `global`, …) for `project_id`. The model is
    /// Vertex's id (e.g. `claude-sonnet-4-5@20250929`); the bearer token comes from
    /// [`vertex_access_token`](Self::vertex_access_token) or `ANTHROPIC_VERTEX_ACCESS_TOKEN`
    /// (then `GOOGLE_OAUTH_ACCESS_TOKEN`); [`base_url`](Self::base_url) replaces
    /// `https://{region}-aiplatform.googleapis.com`. Streaming, tools, thinking and every
    /// other feature work as against Anthropic's API.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of Vertex AI; against the real one, drop base_url.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929")
    ///     .vertex("us-east5", "my-project")
    ///     .vertex_access_token("ya29.token")
    ///     .base_url(server.base_url());
    /// llm.invoke("Hello").await?;
    /// let sent = &server.requests()[0];
    /// assert_eq!(sent.path, "/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict");
    /// assert_eq!(sent.headers["authorization"], "Bearer ya29.token");
    /// assert_eq!(sent.body["anthropic_version"], "vertex-2023-10-16");
    /// # Ok(()) }
    /// ```
    pub fn vertex(self, region: impl Into<String>, project_id: impl Into<String>) -> Self {
        self.platform(Platform::Vertex {
            region: Some(region.into()),
            project_id: Some(project_id.into()),
        })
    }

    /// The OAuth access token for Vertex AI (never printed by `Debug`).
    pub fn vertex_access_token(mut self, token: impl Into<String>) -> Self {
        self.settings.access_token = Some(ApiKey::new(token));
        self
    }

    /// Amazon Bedrock in `region` (cargo feature `bedrock` to send). The model is Bedrock's
    /// id (e.g. `anthropic.claude-sonnet-4-5-20250929-v1:0`, an inference profile such as
    /// `us.anthropic…`, or an ARN); requests are SigV4-signed with
    /// [`aws_credentials`](Self::aws_credentials) or `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`; [`base_url`](Self::base_url) (or
    /// `ANTHROPIC_BEDROCK_BASE_URL`) replaces `https://bedrock-runtime.{region}.amazonaws.com`.
    /// The response's AWS event-stream frames are decoded into the same event stream, so
    /// everything else works as against Anthropic's API (token counting aside).
    ///
    /// ```
    /// # #[cfg(feature = "bedrock")]
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::bedrock::AwsCredentials;
    /// use chat_anthropic::ChatAnthropic;
    /// use chat_anthropic_mock::{MockAwsCredentials, MockServer};
    /// // A local mock of Bedrock that checks the SigV4 signature against these credentials;
    /// // against the real one, drop base_url. Unscripted, it answers "Mock reply to: <prompt>".
    /// let server = MockServer::start().await;
    /// server.set_aws_credentials(MockAwsCredentials::new("AKIDEXAMPLE", "secret"));
    /// let llm = ChatAnthropic::new("anthropic.claude-sonnet-4-5-20250929-v1:0")
    ///     .bedrock("us-east-1")
    ///     .aws_credentials(AwsCredentials::new("AKIDEXAMPLE", "secret"))
    ///     .base_url(server.base_url());
    /// let reply = llm.invoke("Hello").await?;
    /// assert_eq!(reply.text(), "Mock reply to: Hello");
    /// assert!(server.requests()[0].headers["authorization"].starts_with("AWS4-HMAC-SHA256 "));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "bedrock"))] fn main() {}
    /// ```
    pub fn bedrock(self, region: impl Into<String>) -> Self {
        self.platform(Platform::Bedrock {
            region: Some(region.into()),
        })
    }

    /// The AWS credentials for Bedrock (never printed by `Debug`).
    #[cfg(feature = "bedrock")]
    pub fn aws_credentials(mut self, credentials: crate::bedrock::AwsCredentials) -> Self {
        self.settings.aws_credentials = Some(credentials);
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings
            .config
            .default_headers
            .insert(name.into(), value.into());
        self
    }

    /// Beta features, sent as `anthropic-beta: a,b`.
    pub fn betas<S: Into<String>>(mut self, betas: impl IntoIterator<Item = S>) -> Self {
        self.settings.config.betas = betas.into_iter().map(Into::into).collect();
        self
    }

    /// `metadata.user_id`: an opaque id of the end user, for abuse detection.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.settings.config.metadata = Some(serde_json::json!({ "user_id": user_id.into() }));
        self
    }

    /// Automatic prompt caching (the top-level `cache_control`): the API puts the breakpoint
    /// on the last cacheable block itself, so a growing conversation keeps hitting the cache.
    /// For explicit breakpoints mark blocks, messages or tools instead
    /// ([`ContentBlock::with_cache_control`](crate::ContentBlock::with_cache_control)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::messages::CacheControl;
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .cache_control(CacheControl::ephemeral_1h())
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// llm.invoke("Hi").await?;
    /// assert_eq!(server.requests()[0].body["cache_control"], serde_json::json!({"type": "ephemeral", "ttl": "1h"}));
    /// # Ok(()) }
    /// ```
    pub fn cache_control(mut self, cache_control: crate::messages::CacheControl) -> Self {
        self.settings.config.cache_control = Some(cache_control);
        self
    }

    /// Any further body field, sent as given (LangChain's `model_kwargs`), e.g.
    /// `.model_kwarg("service_tier", "auto")`.
    pub fn model_kwarg(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.settings
            .config
            .model_kwargs
            .insert(key.into(), value.into());
        self
    }

    /// A copy of this model that offers `tools` to the model (added to any bound before).
    /// Accepts [`Tool`](crate::tools::Tool)s (e.g. `Tool::from_type::<GetWeather>()`) and
    /// the API's own tool types as JSON.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::tools::ToolDefinition;
    /// use chat_anthropic::{ChatAnthropic, Tool, ToolChoice};
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// let with_tools = llm
    ///     .bind_tools([
    ///         ToolDefinition::from(Tool::new("get_time", serde_json::json!({"type": "object", "properties": {}}))),
    ///         ToolDefinition::from(serde_json::json!({"type": "web_search_20250305", "name": "web_search", "max_uses": 2})),
    ///     ])
    ///     .tool_choice(ToolChoice::auto().disable_parallel_tool_use());
    /// with_tools.invoke("What time is it?").await?;
    /// let sent = &server.requests()[0].body;
    /// assert_eq!(sent["tools"][1]["type"], "web_search_20250305");
    /// assert_eq!(sent["tool_choice"], serde_json::json!({"type": "auto", "disable_parallel_tool_use": true}));
    /// # Ok(()) }
    /// ```
    pub fn bind_tools<T: Into<crate::tools::ToolDefinition>>(
        &self,
        tools: impl IntoIterator<Item = T>,
    ) -> Self {
        let mut bound = self.clone();
        bound.tools.tools.extend(tools.into_iter().map(Into::into));
        bound
    }

    /// Sets `tool_choice`: [`ToolChoice::auto`](crate::ToolChoice::auto), [`any`](crate::ToolChoice::any), a tool's
    /// name, [`none`](crate::ToolChoice::none); strings convert as in LangChain.
    pub fn tool_choice(mut self, choice: impl Into<crate::tools::ToolChoice>) -> Self {
        self.tools.tool_choice = Some(choice.into());
        self
    }

    /// The HTTP client (shared by clones).
    pub(crate) fn http(&self) -> Result<&reqwest::Client, Error> {
        self.http.as_ref().map_err(|e| Error::Config(e.clone()))
    }

    /// The tools bound so far.
    pub fn tools(&self) -> &[crate::tools::ToolDefinition] {
        &self.tools.tools
    }

    /// Sets `output_config.format` (native structured output).
    #[cfg(feature = "structured")]
    pub(crate) fn output_format(mut self, format: Value) -> Self {
        self.tools.output_format = Some(format);
        self
    }

    /// Sends the conversation and returns the live event stream once the response has
    /// started (retries, if any, happen before this returns).
    pub async fn stream(&self, input: impl IntoMessages) -> Result<ChatStream, Error> {
        let messages = input.into_messages()?;
        let aggregator = MessageAggregator::new();
        self.stream_messages(messages, aggregator).await
    }

    /// [`stream`](Self::stream), teeing the raw response bytes to `path` (and their arrival
    /// times to `path.timing`) while you consume the stream, so a real reply can be replayed
    /// later with [`ChatStream::replay`], with or without its original pacing. The file is
    /// exactly what the server sent: any SSE tool reads it. A failed write stops the recording,
    /// never the stream.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::{ChatAnthropic, ChatStream, ReplayPace};
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// let path = std::env::temp_dir().join("chat-anthropic-doc-recording.sse");
    /// let live = llm.stream_recording("Hello", &path).await?.final_message().await?;
    /// let replayed = ChatStream::replay(&path, ReplayPace::Original)?.final_message().await?;
    /// assert_eq!(replayed, live);
    /// # Ok(()) }
    /// ```
    pub async fn stream_recording(
        &self,
        input: impl IntoMessages,
        path: impl AsRef<std::path::Path>,
    ) -> Result<ChatStream, Error> {
        let messages = input.into_messages()?;
        let aggregator = MessageAggregator::new();
        self.open_stream(messages, aggregator, Some(path.as_ref()), None)
            .await
    }

    pub(crate) async fn stream_messages(
        &self,
        messages: Vec<Message>,
        aggregator: MessageAggregator,
    ) -> Result<ChatStream, Error> {
        self.open_stream(messages, aggregator, None, None).await
    }

    /// [`stream`](Self::stream) of a run: its labels go on the call's span.
    pub(crate) async fn stream_labelled(
        &self,
        messages: Vec<Message>,
        run: &RunLabels,
    ) -> Result<ChatStream, Error> {
        self.open_stream(messages, MessageAggregator::new(), None, Some(run))
            .await
    }

    /// The body a stream of `messages` would send (the model's rules checked), and the
    /// settings outside it that change the reply: platform, base URL, betas. No secret (API
    /// key, credentials, headers). What a response cache keys on.
    #[cfg(feature = "cache")]
    pub(crate) fn request_identity_json(&self, messages: Vec<Message>) -> Result<Value, Error> {
        let config = &self.settings.config;
        let body = request::body(
            config,
            &self.tools.to_request()?,
            messages,
            Endpoint::Stream,
        )?;
        let base_url = match config.platform {
            Platform::Anthropic => Some(self.anthropic_base_url()),
            _ => config.base_url.clone(),
        };
        Ok(serde_json::json!({
            "body": body,
            "platform": config.platform,
            "base_url": base_url,
            "betas": config.betas,
        }))
    }

    async fn open_stream(
        &self,
        messages: Vec<Message>,
        aggregator: MessageAggregator,
        record_to: Option<&std::path::Path>,
        run: Option<&RunLabels>,
    ) -> Result<ChatStream, Error> {
        let body = request::body(
            &self.settings.config,
            &self.tools.to_request()?,
            messages,
            Endpoint::Stream,
        )?;
        let span = crate::telemetry::chat_span(
            &self.settings.config,
            &body,
            self.settings.config.capture_message_content,
            run,
        );
        let started = crate::clock::StdInstant::now();
        let opener = Opener {
            llm: self.clone(),
            body,
            bedrock: matches!(self.settings.config.platform, Platform::Bedrock { .. }),
            record_to: record_to.map(std::path::Path::to_path_buf),
            span: span.clone(),
        };
        let (events, rate_limits) = opener
            .live_events(
                self.settings.config.retry_before_content,
                self.settings.config.stall_timeout,
            )
            .await
            .inspect_err(|error| crate::telemetry::record_error(&span, error))?;
        let telemetry = crate::telemetry::StreamTelemetry::new(
            span,
            self.settings.config.capture_message_content,
            started,
        );
        Ok(
            ChatStream::live(events, self.settings.config.stream_usage, aggregator)
                .with_rate_limits(rate_limits)
                .with_telemetry(telemetry),
        )
    }

    /// The reply as one message: the stream, folded.
    pub async fn invoke(&self, input: impl IntoMessages) -> Result<AIMessage, Error> {
        self.stream(input).await?.final_message().await
    }

    /// Runs many conversations, at most [`DEFAULT_BATCH_CONCURRENCY`] at a time; results are
    /// in input order.
    ///
    /// Respects the organisation's rate limits: every clone of this model shares a limiter
    /// fed by the API's `anthropic-ratelimit-*` headers (requests wait while the reported
    /// budget is spent, until its reset) and by 429s (everyone pauses for `retry-after`,
    /// concurrency halves, then grows back one slot at a time). A call refused with a 429
    /// is sent again after the pause, up to [`BATCH_RATE_LIMIT_RETRIES`] times.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// // Unscripted, it answers "Mock reply to: <prompt>".
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let replies = llm.batch(["Hi", "Hello"]).await;
    /// assert_eq!(replies[1].as_ref().unwrap().text(), "Mock reply to: Hello");
    /// # Ok(()) }
    /// ```
    pub async fn batch<I: IntoMessages>(
        &self,
        inputs: impl IntoIterator<Item = I>,
    ) -> Vec<Result<AIMessage, Error>> {
        self.batch_with_concurrency(inputs, DEFAULT_BATCH_CONCURRENCY)
            .await
    }

    /// [`batch`](Self::batch) with a chosen concurrency limit.
    pub async fn batch_with_concurrency<I: IntoMessages>(
        &self,
        inputs: impl IntoIterator<Item = I>,
        concurrency: usize,
    ) -> Vec<Result<AIMessage, Error>> {
        let messages: Vec<_> = inputs
            .into_iter()
            .map(|input| Ok(input.into_messages()?))
            .collect();
        self.batch_labelled(messages, concurrency, None).await
    }

    /// [`batch_with_concurrency`](Self::batch_with_concurrency) of a run: its labels go on
    /// each call's span.
    pub(crate) async fn batch_labelled(
        &self,
        messages: Vec<Result<Vec<Message>, Error>>,
        concurrency: usize,
        run: Option<&RunLabels>,
    ) -> Vec<Result<AIMessage, Error>> {
        let calls = messages
            .into_iter()
            .map(|messages| self.invoke_limited(messages, concurrency, run));
        // The limiter's slots bound the work in flight; this bound only keeps futures few.
        run_ordered(calls, concurrency).await
    }

    /// One `batch` item: a slot under the adaptive cap, re-sent after a 429.
    async fn invoke_limited(
        &self,
        messages: Result<Vec<Message>, Error>,
        concurrency: usize,
        run: Option<&RunLabels>,
    ) -> Result<AIMessage, Error> {
        let messages = messages?;
        let mut refused = 0;
        loop {
            let slot = self.limiter.slot(concurrency).await;
            let aggregator = MessageAggregator::new();
            let opened = self
                .open_stream(messages.clone(), aggregator, None, run)
                .await;
            let outcome = match opened {
                Ok(stream) => stream.final_message().await,
                Err(error) => Err(error),
            };
            drop(slot);
            match outcome {
                Err(error) if error.status() == Some(429) && refused < BATCH_RATE_LIMIT_RETRIES => {
                    // The limiter has paused everyone; the next admission waits it out.
                    refused += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Counts the input tokens of a conversation with `tools` offered (added to any bound
    /// ones) — LangChain's `get_num_tokens_from_messages(messages, tools)`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::{ChatAnthropic, Tool};
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// let lookup = Tool::new("lookup", serde_json::json!({"type": "object", "properties": {"q": {"type": "string"}}}));
    /// let without = llm.count_tokens("Find the capital of France.").await?;
    /// let with = llm.get_num_tokens_from_messages("Find the capital of France.", [lookup]).await?;
    /// assert!(with > without);
    /// assert_eq!(server.requests()[1].body["tools"][0]["name"], "lookup");
    /// # Ok(()) }
    /// ```
    pub async fn get_num_tokens_from_messages<T: Into<crate::tools::ToolDefinition>>(
        &self,
        input: impl IntoMessages,
        tools: impl IntoIterator<Item = T>,
    ) -> Result<u64, Error> {
        self.bind_tools(tools).count_tokens(input).await
    }

    /// Counts the input tokens of a conversation (with the bound tools) without generating,
    /// via `/v1/messages/count_tokens`.
    pub async fn count_tokens(&self, input: impl IntoMessages) -> Result<u64, Error> {
        #[derive(serde::Deserialize)]
        struct Count {
            input_tokens: u64,
        }
        let messages = input.into_messages()?;
        let body = request::body(
            &self.settings.config,
            &self.tools.to_request()?,
            messages,
            Endpoint::CountTokens,
        )?;
        // Token counting has limits of its own: its headers must not feed the limiter.
        let policy = SendPolicy {
            limiter: None,
            ..self.policy()
        };
        let response = self
            .send_body(Endpoint::CountTokens, &body, &policy, &mut 0)
            .await?;
        let count: Count = transport::json(response, self.settings.config.timeout).await?;
        Ok(count.input_tokens)
    }

    pub(crate) fn policy(&self) -> SendPolicy {
        SendPolicy {
            max_retries: self.settings.config.max_retries,
            idle_timeout: self.settings.config.timeout,
            connect_timeout: self.settings.config.connect_timeout,
            limiter: Some(self.limiter.clone()),
        }
    }
}

/// Runs futures with at most `concurrency` in flight; results in input order.
pub(crate) async fn run_ordered<F: std::future::Future>(
    calls: impl IntoIterator<Item = F>,
    concurrency: usize,
) -> Vec<F::Output> {
    futures_util::stream::iter(calls)
        .buffered(concurrency.max(1))
        .collect()
        .await
}
