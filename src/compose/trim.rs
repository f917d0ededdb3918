//! Trimming a conversation to a token budget (LangChain's `trim_messages`), and the model
//! wrapper that trims before every call.

use std::future::Future;
use std::ops::Range;

use futures_core::future::BoxFuture;

use super::{ChatModel, RunConfig};
use crate::chat_model::ChatAnthropic;
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::{ContentBlock, Message, MessageContent};

/// Which end of the conversation [`trim_messages`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrimStrategy {
    /// The most recent messages (a chat's usual choice).
    #[default]
    Last,
    /// The earliest messages. The kept part may end on a human message whose answer was
    /// cut (nothing like LangChain's `end_on` yet).
    First,
}

/// How [`trim_messages`] trims: the token budget, which end it keeps, whether the system
/// message stays, whether the result starts on a human turn.
///
/// Whatever the options, a tool call is never split from its results: an AI message and the
/// [`ToolMessage`](crate::ToolMessage)s that follow it are kept or dropped together, so the
/// result never holds a tool result without its call (which the API refuses).
///
/// ```
/// use chat_anthropic::compose::{TrimOptions, TrimStrategy};
/// let options = TrimOptions::new(1_000).strategy(TrimStrategy::First).include_system(false);
/// assert_eq!(options.max_tokens(), 1_000);
/// let defaults = TrimOptions::new(1_000);
/// assert_eq!(defaults.get_strategy(), TrimStrategy::Last);
/// assert!(defaults.keeps_system() && defaults.starts_on_human());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrimOptions {
    max_tokens: u64,
    strategy: TrimStrategy,
    include_system: bool,
    start_on_human: bool,
}

impl TrimOptions {
    /// At most `max_tokens` tokens, the system message included; the last messages kept,
    /// the system message kept, starting on a human turn.
    pub fn new(max_tokens: u64) -> Self {
        Self {
            max_tokens,
            strategy: TrimStrategy::Last,
            include_system: true,
            start_on_human: true,
        }
    }

    /// Which end to keep (default [`TrimStrategy::Last`]).
    pub fn strategy(mut self, strategy: TrimStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Whether a leading system message is always kept (default true). It counts against
    /// the budget; when it alone is over budget the result is that message alone. With
    /// `false` it is trimmed like any other message.
    pub fn include_system(mut self, include: bool) -> Self {
        self.include_system = include;
        self
    }

    /// Whether the result (after the system message) starts on a human message (default
    /// true): a conversation the API accepts, and one that does not open on an answer
    /// to a question it dropped.
    pub fn start_on_human(mut self, start: bool) -> Self {
        self.start_on_human = start;
        self
    }

    /// The token budget.
    pub fn max_tokens(&self) -> u64 {
        self.max_tokens
    }

    /// The end kept.
    pub fn get_strategy(&self) -> TrimStrategy {
        self.strategy
    }

    /// Whether a leading system message is always kept.
    pub fn keeps_system(&self) -> bool {
        self.include_system
    }

    /// Whether the result starts on a human turn.
    pub fn starts_on_human(&self) -> bool {
        self.start_on_human
    }
}

/// The tokens a message is counted for besides its content by [`approximate_tokens`]: the
/// role and the framing around it.
pub const APPROXIMATE_MESSAGE_OVERHEAD: u64 = 4;

/// An offline estimate of a conversation's input tokens: per message,
/// [`APPROXIMATE_MESSAGE_OVERHEAD`] plus a quarter of its characters (rounded up). The
/// characters are the text of text content; any other block (tool use, tool result blocks,
/// images, documents) counts as its JSON; tool calls not among the blocks count their name
/// and arguments as JSON; a tool result counts its call id too. English text runs at about
/// four characters a token, so this is near the API's count for prose and above it for
/// JSON-heavy turns; for the exact count use [`trim_messages_counted`]
/// (`/v1/messages/count_tokens`). Additive: the count of a list is the sum over its messages.
///
/// ```
/// use chat_anthropic::compose::approximate_tokens;
/// use chat_anthropic::{HumanMessage, Message};
/// let hi: Message = HumanMessage::new("12345678").into(); // 8 characters: 2 tokens + 4
/// assert_eq!(approximate_tokens(&[hi.clone()]), 6);
/// assert_eq!(approximate_tokens(&[hi.clone(), hi]), 12);
/// ```
pub fn approximate_tokens(messages: &[Message]) -> u64 {
    messages.iter().map(approximate_message_tokens).sum()
}

fn approximate_message_tokens(message: &Message) -> u64 {
    let mut chars = content_chars(message.content());
    match message {
        Message::Ai(ai) => {
            let in_blocks = |id: &str| match &ai.content {
                MessageContent::Blocks(blocks) => blocks
                    .iter()
                    .any(|b| matches!(b, ContentBlock::ToolUse(call) if call.id == id)),
                MessageContent::Text(_) => false,
            };
            for call in ai.tool_calls.iter().filter(|call| !in_blocks(&call.id)) {
                chars += call.name.chars().count() + call.args.to_string().chars().count();
            }
        }
        Message::Tool(tool) => chars += tool.tool_call_id.chars().count(),
        Message::System(_) | Message::Human(_) => {}
    }
    APPROXIMATE_MESSAGE_OVERHEAD + (chars as u64).div_ceil(4)
}

fn content_chars(content: &MessageContent) -> usize {
    match content {
        MessageContent::Text(text) => text.chars().count(),
        MessageContent::Blocks(blocks) => blocks
            .iter()
            .map(|block| match block.as_text() {
                Some(text) => text.chars().count(),
                None => serde_json::to_string(block).map_or(0, |json| json.chars().count()),
            })
            .sum(),
    }
}

/// Trims `messages` to `options`' budget, counting with [`approximate_tokens`] (offline).
///
/// The result is a slice of the conversation (the system message, then one contiguous run
/// of messages), chosen as the longest that fits: with [`TrimStrategy::Last`] the most
/// recent messages, with [`TrimStrategy::First`] the earliest. It is cut only between
/// turns, never between an AI message and the tool results that follow it, and (by default)
/// it starts on a human message.
///
/// ```
/// use chat_anthropic::compose::{trim_messages, TrimOptions};
/// use chat_anthropic::{AIMessage, HumanMessage, Message, SystemMessage, ToolCall, ToolMessage};
/// use serde_json::json;
/// let mut call = AIMessage::new("");
/// call.tool_calls.push(ToolCall::new("get_weather", json!({"city": "Paris"}), "toolu_1"));
/// let conversation: Vec<Message> = vec![
///     SystemMessage::new("You are terse.").into(),
///     HumanMessage::new("An old question, long forgotten by now.").into(),
///     AIMessage::new("An old answer.").into(),
///     HumanMessage::new("Weather in Paris?").into(),
///     call.into(),
///     ToolMessage::new("15°C, sunny", "toolu_1").into(),
///     AIMessage::new("15°C and sunny.").into(),
/// ];
/// let kept = trim_messages(&conversation, &TrimOptions::new(50));
/// let roles: Vec<_> = kept.iter().map(Message::role).collect();
/// assert_eq!(roles, ["system", "human", "ai", "tool", "ai"]);
/// // A smaller budget drops the whole tool round trip with its question, never half of it.
/// let kept = trim_messages(&conversation, &TrimOptions::new(20));
/// assert_eq!(kept.iter().map(Message::role).collect::<Vec<_>>(), ["system"]);
/// ```
pub fn trim_messages(messages: &[Message], options: &TrimOptions) -> Vec<Message> {
    trim_messages_with(messages, options, approximate_tokens)
}

/// [`trim_messages`] with your own counter (a tokenizer, a cache of counts). The counter
/// is given candidate results (the system message and a run of messages) and need not be
/// additive, only larger for a longer run; it is called about log₂(turns) times.
pub fn trim_messages_with(
    messages: &[Message],
    options: &TrimOptions,
    mut counter: impl FnMut(&[Message]) -> u64,
) -> Vec<Message> {
    let plan = Plan::new(messages, options);
    let kept = last_fitting(plan.candidates.len(), |i| {
        counter(&plan.assemble(i)) <= options.max_tokens
    });
    plan.assemble(kept)
}

/// [`trim_messages`] counting with the API: each candidate is counted by `llm`'s
/// [`count_tokens`](ChatAnthropic::count_tokens) (`/v1/messages/count_tokens`, with its
/// bound tools), about log₂(turns) requests.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::{trim_messages_counted, TrimOptions};
/// use chat_anthropic::{AIMessage, ChatAnthropic, HumanMessage, Message};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let conversation: Vec<Message> = (0..8)
///     .flat_map(|i| -> [Message; 2] {
///         [HumanMessage::new(format!("Question {i}")).into(), AIMessage::new(format!("Answer {i}")).into()]
///     })
///     .collect();
/// let all = llm.count_tokens(conversation.clone()).await?;
/// let kept = trim_messages_counted(&llm, &conversation, &TrimOptions::new(all / 2)).await?;
/// assert!(kept.len() < conversation.len() && !kept.is_empty());
/// assert!(llm.count_tokens(kept.clone()).await? <= all / 2);
/// assert_eq!(kept.last(), conversation.last());
/// # Ok(()) }
/// ```
pub async fn trim_messages_counted(
    llm: &ChatAnthropic,
    messages: &[Message],
    options: &TrimOptions,
) -> Result<Vec<Message>, Error> {
    trim_messages_async(messages, options, |candidate| llm.count_tokens(candidate)).await
}

/// [`trim_messages_with`] for a counter that is a future (a remote tokenizer, the API): the
/// first counting error is returned.
pub async fn trim_messages_async<F, Fut>(
    messages: &[Message],
    options: &TrimOptions,
    mut counter: F,
) -> Result<Vec<Message>, Error>
where
    F: FnMut(Vec<Message>) -> Fut,
    Fut: Future<Output = Result<u64, Error>>,
{
    let plan = Plan::new(messages, options);
    // The binary search of `last_fitting`, with an await in it.
    let (mut fits, mut too_big) = (0, plan.candidates.len());
    while too_big - fits > 1 {
        let mid = fits + (too_big - fits) / 2;
        if counter(plan.assemble(mid)).await? <= options.max_tokens {
            fits = mid;
        } else {
            too_big = mid;
        }
    }
    Ok(plan.assemble(fits))
}

/// The index of the last candidate that fits, the candidates growing in size and the first
/// (the empty run) taken as fitting: a binary search.
fn last_fitting(candidates: usize, mut fits: impl FnMut(usize) -> bool) -> usize {
    let (mut fitting, mut too_big) = (0, candidates);
    while too_big - fitting > 1 {
        let mid = fitting + (too_big - fitting) / 2;
        if fits(mid) {
            fitting = mid;
        } else {
            too_big = mid;
        }
    }
    fitting
}

/// The system message kept, and the runs of messages a result may hold, smallest first.
struct Plan<'m> {
    system: Option<&'m Message>,
    body: &'m [Message],
    /// Runs of `body`, each a candidate result, growing; the first is empty.
    candidates: Vec<Range<usize>>,
}

impl<'m> Plan<'m> {
    fn new(messages: &'m [Message], options: &TrimOptions) -> Self {
        let (system, body) = match messages.split_first() {
            Some((first @ Message::System(_), rest)) if options.include_system => {
                (Some(first), rest)
            }
            _ => (None, messages),
        };
        // A run may start or end only where a message is not a tool result: a tool result
        // stays with the AI message (and the other results) before it.
        let boundary = |i: usize| i == body.len() || !matches!(body[i], Message::Tool(_));
        let may_start = |i: usize| {
            boundary(i) && (!options.start_on_human || matches!(body[i], Message::Human(_)))
        };
        let candidates = match options.strategy {
            TrimStrategy::Last => std::iter::once(body.len()..body.len())
                .chain(
                    (0..body.len())
                        .rev()
                        .filter(|&i| may_start(i))
                        .map(|start| start..body.len()),
                )
                .collect(),
            TrimStrategy::First => {
                let start = (0..body.len())
                    .find(|&i| may_start(i))
                    .unwrap_or(body.len());
                (start..=body.len())
                    .filter(|&end| boundary(end))
                    .map(|end| start..end)
                    .collect()
            }
        };
        Self {
            system,
            body,
            candidates,
        }
    }

    /// Candidate `i` as messages: the system message, then its run.
    fn assemble(&self, i: usize) -> Vec<Message> {
        let run = &self.body[self.candidates[i].clone()];
        self.system.into_iter().chain(run).cloned().collect()
    }
}

/// A model whose input is trimmed before every call (by [`trim_messages`], or by
/// [`trim_messages_counted`] after [`count_with`](Self::count_with)). Made by
/// [`ChatModelExt::with_trimming`](super::ChatModelExt::with_trimming).
///
/// Under a [`WithHistory`](super::history::WithHistory) (`llm.with_trimming(..).with_history(..)`)
/// the store keeps the whole conversation and each request carries its recent part.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::{ChatModelExt, TrimOptions};
/// use chat_anthropic::{AIMessage, ChatAnthropic, HumanMessage, Message};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let short = llm.with_trimming(TrimOptions::new(30));
/// let long: Vec<Message> = vec![
///     HumanMessage::new("A first question that goes on and on and on and on.").into(),
///     AIMessage::new("A first answer that goes on and on and on and on.").into(),
///     HumanMessage::new("Hi").into(),
/// ];
/// short.invoke(long).await?;
/// let sent = server.requests()[0].body["messages"].clone();
/// assert_eq!(sent.as_array().unwrap().len(), 1);
/// assert_eq!(sent[0]["content"], "Hi");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WithTrimming<M> {
    inner: M,
    options: TrimOptions,
    counter: Option<ChatAnthropic>,
}

impl<M> WithTrimming<M> {
    /// `inner`, its input trimmed by `options` with the offline [`approximate_tokens`].
    pub fn new(inner: M, options: TrimOptions) -> Self {
        Self {
            inner,
            options,
            counter: None,
        }
    }

    /// Counts with `llm`'s [`count_tokens`](ChatAnthropic::count_tokens) instead (a few
    /// requests to `/v1/messages/count_tokens` before each call).
    pub fn count_with(mut self, llm: ChatAnthropic) -> Self {
        self.counter = Some(llm);
        self
    }

    /// The options.
    pub fn options(&self) -> &TrimOptions {
        &self.options
    }

    /// The wrapped model.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    async fn trim(&self, messages: Vec<Message>) -> Result<Vec<Message>, Error> {
        match &self.counter {
            Some(llm) => trim_messages_counted(llm, &messages, &self.options).await,
            None => Ok(trim_messages(&messages, &self.options)),
        }
    }
}

impl<M: ChatModel> ChatModel for WithTrimming<M> {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        Box::pin(async move {
            let trimmed = self.trim(messages).await?;
            self.inner.stream_run(trimmed, run).await
        })
    }

    fn name(&self) -> String {
        format!("trimmed({})", self.inner.name())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::messages::{AIMessage, HumanMessage, SystemMessage, ToolCall, ToolMessage};

    /// One turn of a random conversation.
    #[derive(Debug, Clone)]
    enum Turn {
        Human(usize),
        Answer(usize),
        /// An AI message calling this many tools (1–3), then their results.
        Tools(usize, usize),
    }

    fn build(system: bool, turns: &[Turn]) -> Vec<Message> {
        let words = |n: usize| "word ".repeat(n);
        let mut messages = Vec::new();
        if system {
            messages.push(SystemMessage::new("Be helpful.").into());
        }
        for (t, turn) in turns.iter().enumerate() {
            match turn {
                Turn::Human(n) => messages.push(HumanMessage::new(words(*n)).into()),
                Turn::Answer(n) => messages.push(AIMessage::new(words(*n)).into()),
                Turn::Tools(calls, n) => {
                    let mut ai = AIMessage::new(words(*n));
                    for c in 0..*calls {
                        ai.tool_calls.push(ToolCall::new(
                            "f",
                            json!({"n": c}),
                            format!("t{t}_{c}"),
                        ));
                    }
                    messages.push(ai.into());
                    for c in 0..*calls {
                        messages.push(ToolMessage::new(words(*n), format!("t{t}_{c}")).into());
                    }
                }
            }
        }
        messages
    }

    fn turn() -> impl Strategy<Value = Turn> {
        prop_oneof![
            (0usize..40).prop_map(Turn::Human),
            (0usize..40).prop_map(Turn::Answer),
            (1usize..4, 0usize..20).prop_map(|(c, n)| Turn::Tools(c, n)),
        ]
    }

    /// Every tool result follows its call: the messages between the AI message and it are
    /// tool results too; and every call of a kept AI message keeps its results.
    fn pairs_together(original: &[Message], kept: &[Message]) -> bool {
        kept.iter().enumerate().all(|(i, message)| match message {
            Message::Tool(result) => kept[..i]
                .iter()
                .rev()
                .find(|m| !matches!(m, Message::Tool(_)))
                .is_some_and(|m| match m {
                    Message::Ai(ai) => ai.tool_calls.iter().any(|c| c.id == result.tool_call_id),
                    _ => false,
                }),
            Message::Ai(ai) => ai.tool_calls.iter().all(|call| {
                let in_original = original
                    .iter()
                    .any(|m| matches!(m, Message::Tool(t) if t.tool_call_id == call.id));
                let in_kept = kept
                    .iter()
                    .any(|m| matches!(m, Message::Tool(t) if t.tool_call_id == call.id));
                in_kept == in_original
            }),
            _ => true,
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn trimming_keeps_pairs_the_budget_the_system_message_and_a_human_start(
            system in any::<bool>(),
            turns in prop::collection::vec(turn(), 0..25),
            budget in 0u64..400,
            first in any::<bool>(),
            start_on_human in any::<bool>(),
        ) {
            let messages = build(system, &turns);
            let strategy = if first { TrimStrategy::First } else { TrimStrategy::Last };
            let options = TrimOptions::new(budget)
                .strategy(strategy)
                .start_on_human(start_on_human);
            let kept = trim_messages(&messages, &options);

            prop_assert!(pairs_together(&messages, &kept));
            let body = if system {
                prop_assert_eq!(&kept[0], &messages[0], "the system message kept");
                &kept[1..]
            } else {
                &kept[..]
            };
            if body.is_empty() {
                // Nothing fits beside the system message, or there was nothing.
            } else {
                prop_assert!(approximate_tokens(&kept) <= budget, "over budget");
                if start_on_human {
                    prop_assert!(matches!(body[0], Message::Human(_)));
                }
                prop_assert!(!matches!(body[0], Message::Tool(_)));
                // One contiguous run: a suffix (Last) or a run from the start (First).
                match strategy {
                    TrimStrategy::Last => {
                        prop_assert_eq!(body, &messages[messages.len() - body.len()..]);
                    }
                    TrimStrategy::First => {
                        let start = (usize::from(system)..messages.len())
                            .find(|&i| match &messages[i] {
                                Message::Human(_) => true,
                                Message::Tool(_) => false,
                                _ => !start_on_human,
                            })
                            .unwrap();
                        prop_assert_eq!(body, &messages[start..start + body.len()]);
                    }
                }
            }
            // Maximal: with Last, the next longer run (from the turn before) is over budget.
            if !start_on_human && strategy == TrimStrategy::Last {
                let first_kept = messages.len() - body.len();
                let earlier = (usize::from(system)..first_kept)
                    .rev()
                    .find(|&i| !matches!(messages[i], Message::Tool(_)));
                if let Some(start) = earlier {
                    let mut bigger: Vec<Message> = messages[..usize::from(system)].to_vec();
                    bigger.extend_from_slice(&messages[start..]);
                    prop_assert!(approximate_tokens(&bigger) > budget, "a longer run fits");
                }
            }
        }
    }

    #[test]
    fn an_over_budget_system_message_is_kept_alone() {
        let messages = build(true, &[Turn::Human(3), Turn::Answer(3)]);
        assert_eq!(
            trim_messages(&messages, &TrimOptions::new(1)),
            messages[..1]
        );
        let without = TrimOptions::new(1).include_system(false);
        assert!(trim_messages(&messages, &without).is_empty());
    }

    #[test]
    fn a_conversation_within_budget_is_unchanged() {
        let messages = build(true, &[Turn::Human(3), Turn::Tools(2, 3), Turn::Answer(2)]);
        assert_eq!(
            trim_messages(&messages, &TrimOptions::new(10_000)),
            messages
        );
    }
}
