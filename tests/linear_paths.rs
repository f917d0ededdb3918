//! Paths that must stay linear in the size of the stream, checked by counting what they
//! allocate rather than by timing them: the test binary counts the bytes each thread
//! allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chat_anthropic::{aggregate::MessageAggregator, AIMessageChunk, StreamEvent};

/// The system allocator, counting the bytes the current thread asks for.
struct Counting;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: the counter may already be gone while the thread shuts down.
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + layout.size()));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + new_size));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes this thread allocated while running `f`.
fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - before)
}

fn event(name: &str, data: &str) -> StreamEvent {
    StreamEvent::parse(name, data).unwrap()
}

#[test]
fn message_delta_chunks_do_not_copy_the_message_so_far() {
    const TEXT: usize = 1 << 20;
    const DELTAS: usize = 200;
    let mut aggregator = MessageAggregator::new();
    let mut sum = AIMessageChunk::default();
    let text = "x".repeat(TEXT);
    for event in [
        event(
            "message_start",
            r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}"#,
        ),
        event(
            "content_block_start",
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        ),
        event(
            "content_block_delta",
            &format!(
                r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{text}"}}}}"#
            ),
        ),
    ] {
        sum += aggregator.apply_chunk(&event).unwrap().unwrap();
    }
    let deltas: Vec<StreamEvent> = (1..=DELTAS)
        .map(|n| {
            event(
                "message_delta",
                &format!(
                    r#"{{"type":"message_delta","delta":{{"stop_reason":null,"stop_sequence":null}},"usage":{{"output_tokens":{n}}}}}"#
                ),
            )
        })
        .collect();
    let (chunks, bytes) = allocated_by(|| {
        deltas
            .iter()
            .map(|delta| aggregator.apply_chunk(delta).unwrap().unwrap())
            .collect::<Vec<_>>()
    });
    // Each chunk carries the stop fields and usage, a few hundred bytes; a copy of the
    // message so far per chunk would be DELTAS MiB.
    assert!(
        bytes < TEXT,
        "{DELTAS} message_delta chunks allocated {bytes} bytes: less than one copy of the \
         {TEXT}-byte text expected"
    );
    for chunk in chunks {
        sum += chunk;
    }
    aggregator
        .apply(&event(
            "content_block_stop",
            r#"{"type":"content_block_stop","index":0}"#,
        ))
        .unwrap();
    aggregator
        .apply(&event("message_stop", r#"{"type":"message_stop"}"#))
        .unwrap();
    let message = aggregator.finish().unwrap();
    assert_eq!(message.text().len(), TEXT);
    assert_eq!(
        message.usage_metadata.as_ref().unwrap().output_tokens,
        DELTAS as u64
    );
    assert_eq!(
        sum.into_message(),
        message,
        "the chunks still add up to the message"
    );
}
