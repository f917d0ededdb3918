//! Agents: a model with tools it can call, run in a loop until it answers.
//!
//! Feature `agent` (with `structured`).
//!
//! [`Agent`] streams a reply, starts each tool call **the moment its arguments are complete**
//! ([`StreamUpdate::ToolCallDone`](crate::StreamUpdate::ToolCallDone), before the reply
//! ends), runs independent calls concurrently (bounded), sends all results of the turn back
//! in one user message in call order, and repeats until the model answers without calling a
//! tool, a turn limit, or a condition of yours. [`Agent::run`] gives one stream of
//! [`AgentEvent`]s across turns (every token and argument field, tool started / finished,
//! turn finished with its usage); [`Agent::invoke`] just the outcome.
//!
//! A handler's error or panic, arguments that are not valid JSON or do not fit the tool's
//! type, and a call of an unknown tool all go back to the model as a `tool_result` with
//! `is_error: true`, so it can recover; only a failure of the model's side ends a run, with an
//! [`AgentError`] holding the conversation so far. The conversation sent back keeps every
//! block of every reply as it came (thinking and redacted thinking with their signatures,
//! server-tool blocks), and a model with automatic prompt caching
//! ([`ChatAnthropic::cache_control`](crate::ChatAnthropic::cache_control)) moves its cache
//! breakpoint to the end of the conversation on every turn.
//!
//! Runs keep going where they can: a reply the API pauses (`pause_turn`) is continued
//! ([`Agent::max_pause_continuations`], [`AgentEvent::TurnPaused`]); server-side compaction
//! blocks are kept and sent back; a client-side budget ([`Agent::context_budget`]) stops or
//! trims the run as the conversation nears the model's context window. A reply that runs out
//! of tokens in the middle of a tool call's input ends the run with
//! [`RunError::ToolInputCut`], the cut call never run.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chat_anthropic::agent::{Agent, AgentTool, StopCause};
//! use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns};
//! use chat_anthropic::ChatAnthropic;
//! use serde_json::json;
//!
//! /// Get the current weather in a given location
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct GetWeather {
//!     /// The city and state, e.g. San Francisco, CA
//!     location: String,
//! }
//!
//! let server = MockServer::start().await;
//! server.set_responder(
//!     MockTurns::new()
//!         .turn(1, MockReply::script(MockScript::new().tool_use("toolu_1", "GetWeather", json!({"location": "Paris"}))))
//!         .when_result_contains("sunny", MockReply::text("It is sunny in Paris."))
//!         .responder(),
//! );
//! let llm = ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
//! let agent = Agent::new(llm).tool(AgentTool::from_fn(|args: GetWeather| async move {
//!     Ok::<_, String>(format!("sunny in {}", args.location))
//! }));
//! let output = agent.invoke("Weather in Paris?").await?;
//! assert_eq!(output.message.text(), "It is sunny in Paris.");
//! assert_eq!((output.turns, output.stop), (2, StopCause::ModelFinished));
//! assert_eq!(output.conversation.len(), 4); // question, call, result, answer
//! # Ok(()) }
//! ```

mod approval;
#[cfg(feature = "web")]
mod browser;
mod budget;
mod calls;
mod error;
mod event;
mod run;
mod run_error;
mod tool;
mod toolset;

#[cfg(all(feature = "client-tools", unix))]
pub mod client_tools;

use std::sync::Arc;

pub use approval::{Approval, ApprovalHook, ApprovalRequest};
pub use budget::BudgetPolicy;
pub use error::AgentError;
pub use event::{AgentEvent, AgentOutput, StopCause, TurnView};
pub use run::AgentRun;
pub use run_error::RunError;
pub use tool::{AgentTool, IntoToolOutput, ToolContent};
pub use toolset::{ToolSet, ToolSetFuture};

use crate::chat_model::ChatAnthropic;
use crate::messages::{IntoMessages, MessageContent};

/// How many turns a run takes at most, by default.
pub const DEFAULT_MAX_TURNS: usize = 10;
/// How many handlers run at once, by default.
pub const DEFAULT_TOOL_CONCURRENCY: usize = 8;
/// How many times in a row a paused reply is continued, by default.
pub const DEFAULT_MAX_PAUSE_CONTINUATIONS: usize = 5;

type StopCondition = Arc<dyn Fn(&TurnView<'_>) -> bool + Send + Sync>;

/// A model, the tools it may call with their handlers, and the rules of the loop.
///
/// The model's settings apply to every turn (`tool_choice`, thinking, caching, …); the
/// handlers' tools are bound on top of any tools already bound (server tools such as web
/// search run at the API and need no handler; a tool already bound under a handler's name
/// keeps its definition and gets the handler). Cheap to clone; one agent can run many
/// conversations at once.
///
/// ```
/// use chat_anthropic::agent::{Agent, AgentTool};
/// use chat_anthropic::ChatAnthropic;
/// let agent = Agent::new(ChatAnthropic::new("claude-sonnet-4-6"))
///     .system("You are terse.")
///     .tool(AgentTool::from_json(
///         chat_anthropic::Tool::new("now", serde_json::json!({"type": "object", "properties": {}})),
///         |_| async { Ok::<_, String>("12:00") },
///     ))
///     .max_turns(4)
///     .max_concurrency(2)
///     .stop_when(|turn| turn.usage.total_tokens > 100_000);
/// # let _ = agent;
/// ```
#[derive(Clone)]
pub struct Agent {
    llm: ChatAnthropic,
    tools: Arc<[AgentTool]>,
    toolsets: Arc<[Arc<dyn ToolSet>]>,
    system: Option<MessageContent>,
    max_turns: usize,
    concurrency: usize,
    stop_when: Option<StopCondition>,
    max_pause_continuations: usize,
    budget: Option<budget::ContextBudget>,
}

impl Agent {
    /// An agent on this model, with no tools yet.
    pub fn new(llm: ChatAnthropic) -> Self {
        Self {
            llm,
            tools: Arc::new([]),
            toolsets: Arc::new([]),
            system: None,
            max_turns: DEFAULT_MAX_TURNS,
            concurrency: DEFAULT_TOOL_CONCURRENCY,
            stop_when: None,
            max_pause_continuations: DEFAULT_MAX_PAUSE_CONTINUATIONS,
            budget: None,
        }
    }

    /// Adds a tool and its handler.
    pub fn tool(self, tool: AgentTool) -> Self {
        self.tools([tool])
    }

    /// Adds tools and their handlers.
    pub fn tools(mut self, tools: impl IntoIterator<Item = AgentTool>) -> Self {
        self.tools = self.tools.iter().cloned().chain(tools).collect();
        self
    }

    /// Adds a set of tools asked for its current tools before every turn (an MCP server's
    /// tools, which the server may change: `chat_anthropic::mcp`, feature `mcp`). The agent owns the set: it lives
    /// as long as the agent (and its clones and runs). A tool whose name is already taken
    /// (by [`tool`](Self::tool) or an earlier set) is left out of that turn, with a warning.
    pub fn toolset(mut self, set: impl ToolSet) -> Self {
        let set: Arc<dyn ToolSet> = Arc::new(set);
        self.toolsets = self.toolsets.iter().cloned().chain([set]).collect();
        self
    }

    /// Instructions sent as `system` on every turn (before any system message of the input);
    /// they are not added to the run's conversation.
    pub fn system(mut self, system: impl Into<MessageContent>) -> Self {
        self.system = Some(system.into());
        self
    }

    /// The most replies a run asks for (default [`DEFAULT_MAX_TURNS`]); a run that reaches
    /// it ends with [`StopCause::MaxTurns`] after that turn's tool results.
    pub fn max_turns(mut self, turns: usize) -> Self {
        self.max_turns = turns.max(1);
        self
    }

    /// The most handlers running at once (default [`DEFAULT_TOOL_CONCURRENCY`]); further
    /// calls wait for a free slot, in call order.
    pub fn max_concurrency(mut self, handlers: usize) -> Self {
        self.concurrency = handlers.max(1);
        self
    }

    /// Ends the run after a turn (its tool results in the conversation) when `stop` says so:
    /// [`StopCause::Caller`].
    pub fn stop_when(
        mut self,
        stop: impl Fn(&TurnView<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.stop_when = Some(Arc::new(stop));
        self
    }

    /// How many times in a row a reply the API pauses (`stop_reason: pause_turn`, a server
    /// tool's long turn) is continued (default [`DEFAULT_MAX_PAUSE_CONTINUATIONS`]): each
    /// continuation is a turn that sends the conversation back as it is, the paused reply
    /// last and no new user message, and is announced by [`AgentEvent::TurnPaused`]. A reply
    /// still paused after that many ends the run with [`StopCause::PauseLimit`]; `0` never
    /// continues. Continuations count as turns ([`max_turns`](Self::max_turns) still holds).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use chat_anthropic::agent::{Agent, AgentEvent, StopCause};
    /// use chat_anthropic_mock::{MockReply, MockScript, MockServer};
    /// use futures_util::StreamExt;
    /// let server = MockServer::start().await;
    /// server.enqueue(MockReply::script(MockScript::new().text("Searching…").stop_reason("pause_turn")));
    /// server.enqueue(MockReply::text("Found it."));
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// let mut run = Agent::new(llm).max_pause_continuations(3).run("Search the web");
    /// let mut paused = Vec::new();
    /// while let Some(event) = run.next().await {
    ///     match event? {
    ///         AgentEvent::TurnPaused { turn, continuation, .. } => paused.push((turn, continuation)),
    ///         AgentEvent::Finished(output) => assert_eq!(output.stop, StopCause::ModelFinished),
    ///         _ => {}
    ///     }
    /// }
    /// assert_eq!(paused, [(1, 1)]);
    /// // The continuation sent the paused reply back as the last message.
    /// assert_eq!(server.requests()[1].body["messages"][1]["role"], "assistant");
    /// # Ok(()) }
    /// ```
    pub fn max_pause_continuations(mut self, continuations: usize) -> Self {
        self.max_pause_continuations = continuations;
        self
    }

    /// A client-side budget: when the conversation nears `fraction` (0 to 1) of the model's
    /// context window ([`ModelProfile::max_input_tokens`](crate::settings::ModelProfile)),
    /// [`BudgetPolicy::Stop`] ends the run ([`StopCause::ContextBudget`]) and
    /// [`BudgetPolicy::Trim`] drops the oldest exchanges (a reply and its tool results
    /// together; the first message stays) and emits [`AgentEvent::ContextTrimmed`]. The
    /// measure is the usage the API reports: the last turn's input tokens (cache reads and
    /// writes included) plus its output tokens, checked after each turn before the next. A
    /// model without a known window makes the run fail with [`RunError::NoContextWindow`].
    ///
    /// For the API's own summarizing of old context, see server-side compaction
    /// ([`ContextManagement`](crate::settings::ContextManagement) with the `compact_20260112`
    /// edit); the two work together.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use chat_anthropic::agent::{Agent, AgentTool, BudgetPolicy, StopCause};
    /// use chat_anthropic::settings::ModelProfile;
    /// use chat_anthropic_mock::{MockReply, MockScript, MockServer};
    /// use serde_json::json;
    /// let server = MockServer::start().await;
    /// // The model keeps calling the tool; each result makes the conversation longer.
    /// server.set_responder(|_| MockReply::script(MockScript::new().tool_use("toolu_1", "read", json!({}))));
    /// let mut profile = ModelProfile::default();
    /// profile.max_input_tokens = Some(2_000); // a tiny window, to reach it quickly
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k")
    ///     .profile(profile);
    /// let read = AgentTool::from_json(
    ///     chat_anthropic::Tool::new("read", json!({"type": "object", "properties": {}})),
    ///     |_| async { Ok::<_, String>("lorem ipsum ".repeat(100)) },
    /// );
    /// let output = Agent::new(llm)
    ///     .tool(read)
    ///     .max_turns(50)
    ///     .context_budget(0.5, BudgetPolicy::Stop)
    ///     .invoke("Read everything")
    ///     .await?;
    /// assert_eq!(output.stop, StopCause::ContextBudget);
    /// assert!(output.turns < 50);
    /// # Ok(()) }
    /// ```
    pub fn context_budget(mut self, fraction: f64, policy: BudgetPolicy) -> Self {
        self.budget = Some(budget::ContextBudget { fraction, policy });
        self
    }

    /// The tools and their handlers (those of [`tool`](Self::tool) and
    /// [`tools`](Self::tools); a [`ToolSet`]'s are asked for at each turn).
    pub fn tool_list(&self) -> &[AgentTool] {
        &self.tools
    }

    /// The tools for the next turn: the agent's own, then each set's current ones, a name
    /// offered twice kept once (the first).
    async fn turn_tools(&self) -> Arc<[AgentTool]> {
        if self.toolsets.is_empty() {
            return self.tools.clone();
        }
        let mut tools: Vec<AgentTool> = self.tools.to_vec();
        for set in self.toolsets.iter() {
            for tool in set.current_tools().await {
                if tools.iter().any(|known| known.name() == tool.name()) {
                    tracing::warn!(
                        tool = tool.name(),
                        "a tool set offers a tool whose name is taken; left out"
                    );
                } else {
                    tools.push(tool);
                }
            }
        }
        tools.into()
    }

    /// Starts a run on a conversation (a prompt, messages, `(role, content)` pairs). See
    /// [`AgentRun`] for what dropping it does.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use chat_anthropic::agent::{Agent, AgentEvent};
    /// use chat_anthropic::StreamUpdate;
    /// use futures_util::StreamExt;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// // Unscripted, it answers "Mock reply to: <prompt>".
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let mut run = Agent::new(llm).run("Hello");
    /// let mut text = String::new();
    /// while let Some(event) = run.next().await {
    ///     match event? {
    ///         AgentEvent::Update { update: StreamUpdate::Text { text: piece, .. }, .. } => text.push_str(&piece),
    ///         AgentEvent::Finished(output) => assert_eq!(output.turns, 1),
    ///         _ => {}
    ///     }
    /// }
    /// assert_eq!(text, "Mock reply to: Hello");
    /// # Ok(()) }
    /// ```
    pub fn run(&self, input: impl IntoMessages) -> AgentRun {
        AgentRun::new(self.clone(), input.into_messages().map_err(Into::into))
    }

    /// Runs to the end and returns the outcome: the last reply, the whole conversation, the
    /// summed usage.
    pub async fn invoke(&self, input: impl IntoMessages) -> Result<AgentOutput, AgentError> {
        self.run(input).finish().await
    }

    /// The model with the handlers' tools bound (a tool the model already has under the same
    /// name keeps its definition: the API refuses duplicate names).
    fn bound_model(&self, tools: &[AgentTool]) -> ChatAnthropic {
        let bound = self.llm.tools();
        let missing = tools
            .iter()
            .filter(|tool| !bound.iter().any(|b| b.name() == Some(tool.name())))
            .map(|tool| tool.definition().clone());
        self.llm.bind_tools(missing)
    }

    fn should_stop(&self, turn: &TurnView<'_>) -> bool {
        self.stop_when.as_ref().is_some_and(|stop| stop(turn))
    }
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("llm", &self.llm)
            .field("tools", &self.tools)
            .field("toolsets", &self.toolsets.len())
            .field("max_turns", &self.max_turns)
            .field("concurrency", &self.concurrency)
            .field("max_pause_continuations", &self.max_pause_continuations)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}
