//! The loop: stream a reply, run its tool calls as they complete, send the results back,
//! until the model is done.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;

use super::budget::{self, BudgetPolicy};
use super::calls::TurnCalls;
use super::error::AgentError;
use super::event::{AgentEvent, AgentOutput, StopCause, TurnView};
use super::run_error::RunError;
use super::Agent;
use crate::aggregate::StreamUpdate;
use crate::error::Error;
use crate::messages::{AIMessage, Message, StopReason, UsageMetadata};

/// A running agent: a `Stream` of [`AgentEvent`]s across all turns, ending with
/// [`AgentEvent::Finished`], or with one [`AgentError`] when the model's side fails.
/// Made by [`Agent::run`].
///
/// Nothing happens until it is polled. Dropping it stops the run: the response being read is
/// closed (the API stops generating) and the handlers still running are cancelled — each
/// handler's future is dropped at its next `.await`, so its local values' `Drop` runs there
/// (put clean-up in a guard); work it handed to `spawn_blocking` or a thread of its own is
/// not stopped.
#[must_use = "streams do nothing unless polled"]
pub struct AgentRun {
    events: Pin<Box<dyn Stream<Item = Result<AgentEvent, AgentError>> + Send>>,
}

impl AgentRun {
    pub(super) fn new(agent: Agent, input: Result<Vec<Message>, Error>) -> Self {
        Self {
            events: Box::pin(run(agent, input)),
        }
    }

    /// Runs to the end, ignoring the events: what [`Agent::invoke`] does.
    pub async fn finish(mut self) -> Result<AgentOutput, AgentError> {
        while let Some(event) = self.next().await {
            if let AgentEvent::Finished(output) = event? {
                return Ok(*output);
            }
        }
        unreachable!("a run ends with Finished or an error")
    }
}

impl Stream for AgentRun {
    type Item = Result<AgentEvent, AgentError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for AgentRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentRun").finish_non_exhaustive()
    }
}

/// What the loop waits on during a turn: the reply, and the tools already running.
// A step lives for one loop iteration; boxing the update would allocate for every event.
#[allow(clippy::large_enum_variant)]
enum Step {
    Update(Option<Result<StreamUpdate, Error>>),
    Tools(Vec<AgentEvent>),
}

/// The run as a stream. Each turn reads the reply and, at the same time, the handlers that
/// finish; `yield` hands every event to the consumer as it happens.
fn run(
    agent: Agent,
    input: Result<Vec<Message>, Error>,
) -> impl Stream<Item = Result<AgentEvent, AgentError>> + Send {
    async_stream::stream! {
        let mut conversation = match input {
            Ok(messages) => messages,
            Err(err) => {
                yield Err(AgentError::new(err, 1, Vec::new(), UsageMetadata::default()));
                return;
            }
        };
        // The agent's instructions go with every request but are not part of the
        // conversation, so a conversation handed back can be run again as it is.
        let system: Option<Message> = agent
            .system
            .clone()
            .map(|system| crate::messages::SystemMessage::new(system).into());
        // A budget is a share of the model's context window: without a window, no budget.
        let window = match agent.budget {
            None => None,
            Some(_) => match agent.llm.config().model_profile().and_then(|p| p.max_input_tokens) {
                Some(window) => Some(window),
                None => {
                    let model = agent.llm.config().model.clone();
                    let err = Error::Area(Box::new(RunError::NoContextWindow { model }));
                    yield Err(AgentError::new(err, 1, conversation, UsageMetadata::default()));
                    return;
                }
            },
        };
        // Tool sets may change their tools between turns; without them, one list for the run.
        let mut tools = agent.turn_tools().await;
        let mut llm = agent.bound_model(&tools);
        let mut usage = UsageMetadata::default();
        let mut turn = 0;
        // Replies paused in a row (continued by sending them back).
        let mut pauses = 0;
        loop {
            turn += 1;
            if turn > 1 && !agent.toolsets.is_empty() {
                tools = agent.turn_tools().await;
                llm = agent.bound_model(&tools);
            }
            yield Ok(AgentEvent::TurnStarted { turn });
            let request: Vec<Message> = system.iter().chain(&conversation).cloned().collect();
            let mut updates = match llm.stream(request).await {
                Ok(stream) => stream.updates(),
                Err(err) => {
                    yield Err(AgentError::new(err, turn, conversation, usage));
                    return;
                }
            };
            let mut calls = TurnCalls::new(tools.clone(), turn, agent.concurrency);
            let mut streaming = true;
            // Calls whose input is not valid JSON are answered once the reply is over: if it
            // ended at max_tokens, the input was cut and the run ends instead.
            let mut invalid = Vec::new();
            while streaming || calls.is_busy() {
                let step = tokio::select! {
                    update = updates.next(), if streaming => Step::Update(update),
                    events = calls.next_finished(), if calls.is_busy() => Step::Tools(events),
                };
                match step {
                    Step::Update(Some(Ok(update))) => {
                        let started = if matches!(update, StreamUpdate::ToolCallInvalid { .. }) {
                            invalid.push(update.clone());
                            Vec::new()
                        } else {
                            calls.on_update(&update)
                        };
                        yield Ok(AgentEvent::Update { turn, update });
                        for event in started {
                            yield Ok(event);
                        }
                    }
                    Step::Update(Some(Err(err))) => {
                        yield Err(AgentError::new(err, turn, conversation, usage));
                        return;
                    }
                    Step::Update(None) => streaming = false,
                    Step::Tools(events) => {
                        for event in events {
                            yield Ok(event);
                        }
                    }
                }
            }
            let message = updates.aggregator().partial_message();
            drop(updates);
            if let Some(cut) = cut_tool_call(&message) {
                // Never run half a call: the run ends, the conversation as it was before.
                drop(calls);
                yield Err(AgentError::new(Error::Area(Box::new(cut)), turn, conversation, usage));
                return;
            }
            for update in &invalid {
                for event in calls.on_update(update) {
                    yield Ok(event);
                }
            }
            let turn_usage = message.usage_metadata.clone().unwrap_or_default();
            usage += &turn_usage;
            let results = calls.into_results();
            let called_tools = !results.is_empty();
            conversation.push(message.clone().into());
            // What the API measured: the conversation up to this reply (not its results).
            let measured_len = conversation.len();
            conversation.extend(results.into_iter().map(Message::from));
            yield Ok(AgentEvent::TurnFinished {
                turn,
                message: Box::new(message.clone()),
                usage: turn_usage,
            });
            let paused = is_paused(message.response_metadata.stop_reason.as_ref());
            pauses = if paused { pauses + 1 } else { 0 };
            let mut stop = if !called_tools && !paused {
                Some(StopCause::ModelFinished)
            } else if !called_tools && pauses > agent.max_pause_continuations {
                Some(StopCause::PauseLimit)
            } else if turn >= agent.max_turns {
                Some(StopCause::MaxTurns)
            } else if agent.should_stop(&TurnView {
                turn,
                message: &message,
                conversation: &conversation,
                usage: &usage,
            }) {
                Some(StopCause::Caller)
            } else {
                None
            };
            if let (None, Some(budget), Some(window)) = (stop, agent.budget, window) {
                let limit = budget.limit(window);
                let tokens = budget::measured(message.usage_metadata.as_ref().unwrap_or(&UsageMetadata::default()));
                if tokens > limit {
                    match budget.policy {
                        BudgetPolicy::Trim => match budget::trim(&mut conversation, tokens, measured_len, limit) {
                            Some(removed) => {
                                yield Ok(AgentEvent::ContextTrimmed { turn, removed, tokens, limit });
                            }
                            None => stop = Some(StopCause::ContextBudget),
                        },
                        _ => stop = Some(StopCause::ContextBudget),
                    }
                }
            }
            if stop.is_none() && paused && !called_tools {
                yield Ok(AgentEvent::TurnPaused {
                    turn,
                    continuation: pauses,
                    reason: message
                        .response_metadata
                        .stop_reason
                        .as_ref()
                        .map(|reason| reason.as_str().to_owned())
                        .unwrap_or_default(),
                });
            }
            if let Some(stop) = stop {
                yield Ok(finished(message, conversation, usage, turn, stop));
                return;
            }
        }
    }
}

/// Whether the API paused the reply and expects it back to continue: `pause_turn` (a server
/// tool's long turn), or `compaction` (compaction set to pause after summarizing).
fn is_paused(reason: Option<&StopReason>) -> bool {
    match reason {
        Some(StopReason::PauseTurn) => true,
        Some(StopReason::Unknown(raw)) => raw == "compaction",
        _ => false,
    }
}

/// A reply that reached `max_tokens` in the middle of a tool call's input: the cut call (the
/// last one whose input did not parse, or was still streaming).
fn cut_tool_call(message: &AIMessage) -> Option<RunError> {
    if message.response_metadata.stop_reason != Some(StopReason::MaxTokens) {
        return None;
    }
    let cut = message.invalid_tool_calls.last()?;
    Some(RunError::ToolInputCut {
        tool: cut.name.clone().unwrap_or_default(),
        id: cut.id.clone().unwrap_or_default(),
        partial_input: cut.args.clone().unwrap_or_default(),
        message: Box::new(message.clone()),
    })
}

fn finished(
    message: AIMessage,
    conversation: Vec<Message>,
    usage: UsageMetadata,
    turns: usize,
    stop: StopCause,
) -> AgentEvent {
    AgentEvent::Finished(Box::new(AgentOutput {
        message,
        conversation,
        usage,
        turns,
        stop,
    }))
}
