//! Chunk-boundary invariance of the whole pipeline: any split of a stream's bytes gives the
//! same events and the same message.

use crate::common;

use bytes::Bytes;
use chat_anthropic::{aggregate::MessageAggregator, event::EventStream, AIMessage, StreamEvent};
use futures_util::StreamExt;
use proptest::prelude::*;

/// Events and the final message from `body` cut at `cuts` (sorted byte offsets).
fn decode(body: &[u8], cuts: &[usize]) -> (Vec<StreamEvent>, AIMessage) {
    let mut chunks = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain([body.len()].iter()) {
        if cut > start {
            chunks.push(Ok::<_, std::convert::Infallible>(Bytes::copy_from_slice(
                &body[start..cut],
            )));
            start = cut;
        }
    }
    let events: Vec<StreamEvent> = futures_executor::block_on(
        EventStream::new(futures_util::stream::iter(chunks))
            .map(Result::unwrap)
            .collect(),
    );
    let mut aggregator = MessageAggregator::new();
    for event in &events {
        aggregator.apply(event).unwrap();
    }
    (events, aggregator.finish().unwrap())
}

/// Every fixture, also with CRLF line ends (to cut between CR and LF).
fn bodies() -> Vec<(String, Vec<u8>)> {
    let mut out = common::recorded_streams();
    let crlf: Vec<_> = out
        .iter()
        .map(|(name, body)| {
            let text = String::from_utf8(body.clone())
                .unwrap()
                .replace('\n', "\r\n");
            (format!("{name} (CRLF)"), text.into_bytes())
        })
        .collect();
    out.extend(crlf);
    out
}

#[test]
fn one_byte_chunks_give_the_same_events_and_message() {
    for (name, body) in bodies() {
        let whole = decode(&body, &[]);
        let every_byte: Vec<usize> = (1..body.len()).collect();
        assert_eq!(decode(&body, &every_byte), whole, "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_splits_give_the_same_events_and_message(
        which in 0usize..28,
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40),
    ) {
        let bodies = bodies();
        let (name, body) = &bodies[which % bodies.len()];
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(body.len())).collect();
        cuts.sort_unstable();
        cuts.dedup();
        prop_assert_eq!(decode(body, &cuts), decode(body, &[]), "{}", name);
    }
}
