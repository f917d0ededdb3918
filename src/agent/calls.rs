//! One turn's tool calls: started as each call completes, at most `limit` at a time, each on
//! its own task, with results kept in call order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use serde_json::Value;
use tokio::task::{Id, JoinSet};

use super::event::AgentEvent;
use super::tool::AgentTool;
use crate::aggregate::StreamUpdate;
use crate::messages::{MessageContent, ToolMessage};

/// A call, identified by its block index (the order results go back in).
#[derive(Debug, Clone)]
struct Call {
    index: usize,
    id: String,
    name: String,
}

/// A handler's outcome: how long it ran, and its content or error text.
type Outcome = (Duration, Result<MessageContent, String>);

/// The calls of one reply. Dropping it aborts the handlers still running.
pub(super) struct TurnCalls {
    tools: Arc<[AgentTool]>,
    turn: usize,
    limit: usize,
    waiting: VecDeque<(Call, AgentTool, Value)>,
    running: JoinSet<Outcome>,
    running_calls: HashMap<Id, Call>,
    results: BTreeMap<usize, ToolMessage>,
}

impl TurnCalls {
    pub(super) fn new(tools: Arc<[AgentTool]>, turn: usize, limit: usize) -> Self {
        Self {
            tools,
            turn,
            limit: limit.max(1),
            waiting: VecDeque::new(),
            running: JoinSet::new(),
            running_calls: HashMap::new(),
            results: BTreeMap::new(),
        }
    }

    /// Acts on a reply update: a complete call starts (or waits for a free slot); a call
    /// that cannot run is answered at once. Returns the events that amounts to.
    pub(super) fn on_update(&mut self, update: &StreamUpdate) -> Vec<AgentEvent> {
        let mut events = Vec::new();
        match update {
            StreamUpdate::ToolCallDone { index, call } => {
                let target = Call {
                    index: *index,
                    id: call.id.clone(),
                    name: call.name.clone(),
                };
                match self.tools.iter().find(|tool| tool.name() == call.name) {
                    Some(tool) => {
                        self.waiting
                            .push_back((target, tool.clone(), call.args.clone()));
                        self.start_waiting(&mut events);
                    }
                    None => {
                        let known: Vec<&str> = self.tools.iter().map(AgentTool::name).collect();
                        let error = format!(
                            "unknown tool {:?}; the tools are: {}",
                            call.name,
                            known.join(", ")
                        );
                        self.answer_at_once(target, call.args.clone(), error, &mut events);
                    }
                }
            }
            StreamUpdate::ToolCallInvalid { index, call } => {
                let target = Call {
                    index: *index,
                    id: call.id.clone().unwrap_or_default(),
                    name: call.name.clone().unwrap_or_default(),
                };
                let raw = Value::String(call.args.clone().unwrap_or_default());
                let error = format!(
                    "the arguments are not valid JSON: {}",
                    call.error.as_deref().unwrap_or("unknown error")
                );
                self.answer_at_once(target, raw, error, &mut events);
            }
            _ => {}
        }
        events
    }

    /// Whether any handler is running (or waiting for a slot).
    pub(super) fn is_busy(&self) -> bool {
        !self.running.is_empty() || !self.waiting.is_empty()
    }

    /// Waits for the next handler to finish; returns its event, and the starts of calls that
    /// were waiting for its slot. Pending forever when nothing runs (guard with
    /// [`is_busy`](Self::is_busy)).
    pub(super) async fn next_finished(&mut self) -> Vec<AgentEvent> {
        let Some(joined) = self.running.join_next_with_id().await else {
            return std::future::pending().await;
        };
        let (task, (duration, result)) = match joined {
            Ok((task, outcome)) => (task, outcome),
            // Handlers' panics are caught inside the task; only an abort lands here.
            Err(err) => (
                err.id(),
                (
                    Duration::ZERO,
                    Err(format!("the tool was cancelled: {err}")),
                ),
            ),
        };
        let mut events = Vec::new();
        if let Some(call) = self.running_calls.remove(&task) {
            events.push(self.record(call, duration, result));
        }
        self.start_waiting(&mut events);
        events
    }

    /// The tool results in call order, one per call.
    pub(super) fn into_results(self) -> Vec<ToolMessage> {
        self.results.into_values().collect()
    }

    fn start_waiting(&mut self, events: &mut Vec<AgentEvent>) {
        while self.running.len() < self.limit {
            let Some((call, tool, args)) = self.waiting.pop_front() else {
                return;
            };
            events.push(AgentEvent::ToolStarted {
                turn: self.turn,
                id: call.id.clone(),
                name: call.name.clone(),
                args: args.clone(),
            });
            let handle = self.running.spawn(async move {
                let started = Instant::now();
                // The handler is called inside the guarded future, so a panic while building
                // its future is caught too.
                let result = AssertUnwindSafe(async move { tool.call(args).await })
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|panic| Err(panic_text(panic.as_ref())));
                (started.elapsed(), result)
            });
            self.running_calls.insert(handle.id(), call);
        }
    }

    fn answer_at_once(
        &mut self,
        call: Call,
        args: Value,
        error: String,
        events: &mut Vec<AgentEvent>,
    ) {
        events.push(AgentEvent::ToolStarted {
            turn: self.turn,
            id: call.id.clone(),
            name: call.name.clone(),
            args,
        });
        events.push(self.record(call, Duration::ZERO, Err(error)));
    }

    fn record(
        &mut self,
        call: Call,
        duration: Duration,
        result: Result<MessageContent, String>,
    ) -> AgentEvent {
        let (content, is_error) = match result {
            Ok(content) => (content, false),
            Err(error) => (MessageContent::Text(error), true),
        };
        let message = if is_error {
            ToolMessage::error(content.clone(), call.id.clone())
        } else {
            ToolMessage::new(content.clone(), call.id.clone())
        };
        self.results.insert(call.index, message);
        AgentEvent::ToolFinished {
            turn: self.turn,
            id: call.id,
            name: call.name,
            duration,
            content,
            is_error,
        }
    }
}

/// What a panic said, as the error text the model gets.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    format!("the tool failed unexpectedly (panic: {message})")
}

impl std::fmt::Debug for TurnCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnCalls")
            .field("turn", &self.turn)
            .field("running", &self.running.len())
            .field("waiting", &self.waiting.len())
            .field("answered", &self.results.len())
            .finish()
    }
}
