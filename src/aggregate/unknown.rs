//! The events of unknown types a stream carried, kept within a bound.

use serde::Serialize;
use serde_json::Value;

/// At most this many unknown events are kept…
const MAX_KEPT: usize = 1024;
/// …and at most this many bytes of their JSON: a hostile or broken server may send millions,
/// and a kept event weighs about ten times its wire size.
const MAX_KEPT_BYTES: usize = 1024 * 1024;

/// The first unknown events (oldest kept, newest dropped), and how many were dropped.
#[derive(Debug, Clone, Default)]
pub(super) struct UnknownLog {
    kept: Vec<Value>,
    bytes: usize,
    dropped: u64,
}

impl UnknownLog {
    /// Keeps `event` as raw JSON if it fits the bound, else counts it as dropped.
    pub(super) fn push(&mut self, event: &impl Serialize) {
        let size = json_len(event);
        if self.kept.len() >= MAX_KEPT || self.bytes.saturating_add(size) > MAX_KEPT_BYTES {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        self.bytes += size;
        self.kept
            .push(serde_json::to_value(event).unwrap_or(Value::Null));
    }

    pub(super) fn kept(&self) -> &[Value] {
        &self.kept
    }

    pub(super) fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// The length of `value`'s JSON text, measured without building it.
fn json_len(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail; a value that cannot serialize counts as empty.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_the_first_events_within_both_bounds_and_counts_the_rest() {
        let mut log = UnknownLog::default();
        for n in 0..MAX_KEPT + 10 {
            log.push(&json!({"type": "future", "n": n}));
        }
        assert_eq!(log.kept().len(), MAX_KEPT);
        assert_eq!(log.kept()[0]["n"], 0, "the oldest are kept");
        assert_eq!(log.dropped(), 10);

        let mut log = UnknownLog::default();
        let big = json!({"type": "future", "blob": "x".repeat(MAX_KEPT_BYTES / 3)});
        for _ in 0..5 {
            log.push(&big);
        }
        assert_eq!((log.kept().len(), log.dropped()), (2, 3));
        assert!(log.bytes <= MAX_KEPT_BYTES);
    }

    #[test]
    fn json_len_is_the_serialized_length() {
        let value = json!({"a": [1, "é"], "b": null});
        assert_eq!(
            json_len(&value),
            serde_json::to_string(&value).unwrap().len()
        );
    }
}
