//! The loop: stream a reply, run its tool calls as they complete, send the results back,
//! until the model is done.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;

use super::calls::TurnCalls;
use super::error::AgentError;
use super::event::{AgentEvent, AgentOutput, StopCause, TurnView};
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
        // Tool sets may change their tools between turns; without them, one list for the run.
        let mut tools = agent.turn_tools().await;
        let mut llm = agent.bound_model(&tools);
        let mut usage = UsageMetadata::default();
        let mut turn = 0;
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
            while streaming || calls.is_busy() {
                let step = tokio::select! {
                    update = updates.next(), if streaming => Step::Update(update),
                    events = calls.next_finished(), if calls.is_busy() => Step::Tools(events),
                };
                match step {
                    Step::Update(Some(Ok(update))) => {
                        let started = calls.on_update(&update);
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
            let turn_usage = message.usage_metadata.clone().unwrap_or_default();
            usage += &turn_usage;
            let results = calls.into_results();
            let called_tools = !results.is_empty();
            conversation.push(message.clone().into());
            conversation.extend(results.into_iter().map(Message::from));
            yield Ok(AgentEvent::TurnFinished {
                turn,
                message: Box::new(message.clone()),
                usage: turn_usage,
            });
            let paused = message.response_metadata.stop_reason == Some(StopReason::PauseTurn);
            let stop = if !called_tools && !paused {
                Some(StopCause::ModelFinished)
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
            if let Some(stop) = stop {
                yield Ok(finished(message, conversation, usage, turn, stop));
                return;
            }
        }
    }
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
