//! The client-side context budget: how full the model's context window may get before a run
//! stops or drops its oldest exchanges, measured by the usage the API reports.

use crate::messages::{Message, UsageMetadata};

/// What a run does when its conversation nears the budget set with
/// [`Agent::context_budget`](super::Agent::context_budget).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BudgetPolicy {
    /// End the run with [`StopCause::ContextBudget`](super::StopCause::ContextBudget); the
    /// conversation is whole, so it can be trimmed or summarized by the caller and run again.
    Stop,
    /// Drop the oldest exchanges (a reply with its tool results, never one without the other)
    /// after the first message, until the estimate fits; the run stops as with
    /// [`Stop`](Self::Stop) when only the first message and the last exchange are left and
    /// they still do not fit.
    Trim,
}

/// The budget: a share of the model's context window, and what to do past it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ContextBudget {
    pub(super) fraction: f64,
    pub(super) policy: BudgetPolicy,
}

impl ContextBudget {
    /// The most tokens the next request may hold, for a window of `window` tokens.
    pub(super) fn limit(&self, window: u32) -> u64 {
        // A fraction in (0, 1]; the product fits in u64 for any u32 window.
        (f64::from(window) * self.fraction.clamp(0.0, 1.0)).floor() as u64
    }
}

/// The size of the next request as the API measured the last one: its input (cached or not)
/// and the reply that now goes back with it. Tool results of the turn come on top.
pub(super) fn measured(usage: &UsageMetadata) -> u64 {
    usage.input_tokens.saturating_add(usage.output_tokens)
}

/// Drops the oldest exchanges of `conversation` (after its first message) until the
/// estimate of its size fits `limit`, keeping the last exchange. `tokens` is the measured size
/// of its first `measured` messages (the turn's tool results come after them); each message is
/// estimated at the measured tokens per serialized byte, so the results count too. Returns
/// how many messages were removed, or `None` when it cannot fit.
pub(super) fn trim(
    conversation: &mut Vec<Message>,
    tokens: u64,
    measured: usize,
    limit: u64,
) -> Option<usize> {
    let sizes: Vec<u64> = conversation
        .iter()
        .map(|m| serde_json::to_vec(m).map_or(1, |bytes| bytes.len() as u64))
        .collect();
    let measured_bytes: u64 = sizes[..measured.min(sizes.len())]
        .iter()
        .sum::<u64>()
        .max(1);
    let estimate = |bytes: u64| -> u64 {
        // tokens * bytes / measured_bytes, in u128 so it cannot overflow.
        let estimate = u128::from(tokens) * u128::from(bytes) / u128::from(measured_bytes);
        u64::try_from(estimate).unwrap_or(u64::MAX)
    };
    let starts = exchange_starts(conversation);
    // The last exchange stays: its tool results are about to go back.
    let (&last, droppable) = starts.split_last()?;
    let mut remaining = estimate(sizes.iter().sum());
    let mut cut_to = None;
    for (i, &start) in droppable.iter().enumerate() {
        if remaining <= limit {
            break;
        }
        let end = droppable.get(i + 1).copied().unwrap_or(last);
        remaining = remaining.saturating_sub(estimate(sizes[start..end].iter().sum()));
        cut_to = Some(end);
    }
    if remaining > limit {
        return None;
    }
    let Some(end) = cut_to else {
        return Some(0);
    };
    let first = starts[0];
    conversation.drain(first..end);
    Some(end - first)
}

/// Where each exchange starts: an assistant reply at index ≥ 1, which runs until the next
/// reply (its tool results, and any user message, belong to it). The first message is never
/// part of one.
fn exchange_starts(conversation: &[Message]) -> Vec<usize> {
    conversation
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, m)| matches!(m, Message::Ai(_)))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{AIMessage, HumanMessage, ToolMessage};

    fn exchange(n: usize) -> [Message; 2] {
        [
            AIMessage::new(format!("call {n}")).into(),
            ToolMessage::new("x".repeat(100), format!("toolu_{n}")).into(),
        ]
    }

    fn conversation(exchanges: usize) -> Vec<Message> {
        let mut messages: Vec<Message> = vec![HumanMessage::new("Fix the bug").into()];
        for n in 0..exchanges {
            messages.extend(exchange(n));
        }
        messages
    }

    #[test]
    fn drops_whole_exchanges_from_the_oldest_and_keeps_the_first_and_last() {
        let mut messages = conversation(4);
        let removed = trim(&mut messages, 1000, 9, 600).expect("fits after trimming");
        assert_eq!(removed % 2, 0, "a reply never leaves without its results");
        assert!(matches!(&messages[0], Message::Human(_)));
        assert!(matches!(&messages[1], Message::Ai(_)));
        assert!(matches!(messages.last(), Some(Message::Tool(t)) if t.tool_call_id == "toolu_3"));
        assert_eq!(messages.len(), 9 - removed);
    }

    #[test]
    fn under_the_limit_nothing_is_dropped() {
        let mut messages = conversation(3);
        assert_eq!(trim(&mut messages, 100, 7, 200), Some(0));
        assert_eq!(messages.len(), 7);
    }

    #[test]
    fn when_the_last_exchange_alone_is_too_big_it_cannot_fit() {
        let mut messages = conversation(2);
        assert_eq!(trim(&mut messages, 1000, 5, 10), None);
        assert_eq!(messages.len(), 5, "left as it was");
    }

    #[test]
    fn the_turns_tool_results_count_at_the_measured_rate() {
        // 500 tokens measured for everything up to the last reply; its tool result is large.
        let mut messages = conversation(3);
        messages.push(AIMessage::new("call 3").into());
        messages.push(ToolMessage::new("y".repeat(2000), "toolu_3").into());
        let all = messages.len();
        // Counted as if the 500 tokens covered the result too, it would fit as it is …
        assert_eq!(trim(&mut messages.clone(), 500, all, 600), Some(0));
        // … but at the measured rate the result alone is over the limit: it cannot fit.
        assert_eq!(trim(&mut messages, 500, all - 1, 600), None);
        assert_eq!(messages.len(), all);
    }

    #[test]
    fn the_limit_is_a_share_of_the_window() {
        let budget = ContextBudget {
            fraction: 0.8,
            policy: BudgetPolicy::Stop,
        };
        assert_eq!(budget.limit(200_000), 160_000);
    }
}
