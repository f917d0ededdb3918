//! One buffer for the decoded text of many deltas.

use bytes::BytesMut;

use crate::sse::Utf8Bytes;

/// Where the text of deltas that arrived with escapes is decoded (text without escapes is a
/// slice of the event's own bytes instead). The events of a stream share one buffer, each
/// text a slice of it kept alive by a reference count, so such a delta costs no allocation of
/// its own: a tool call's JSON fragments, which nearly all hold an escaped `"`, would
/// otherwise cost one or two each. A full buffer is left to the slices still holding it and
/// another of at least `chunk` bytes is started; when no slice is held any more, the buffer
/// is reused in place.
#[derive(Debug)]
pub(crate) struct TextArena {
    buffer: BytesMut,
    chunk: usize,
}

impl TextArena {
    /// An arena of buffers of at least `chunk` bytes, allocated when first written to.
    pub(crate) fn new(chunk: usize) -> Self {
        Self {
            buffer: BytesMut::new(),
            chunk,
        }
    }

    /// Appends to the text being written.
    pub(crate) fn push_str(&mut self, text: &str) {
        if self.buffer.capacity() == 0 {
            self.buffer = BytesMut::with_capacity(self.chunk.max(text.len()));
        }
        self.buffer.extend_from_slice(text.as_bytes());
    }

    /// Appends one character to the text being written.
    pub(crate) fn push_char(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    /// Drops what was written since the last [`finish`](Self::finish).
    pub(crate) fn discard(&mut self) {
        self.buffer.clear();
    }

    /// The text written since the last `finish`, shared with the buffer.
    pub(crate) fn finish(&mut self) -> Utf8Bytes {
        let text = self.buffer.split().freeze();
        // SAFETY: only `push_str` and `push_char` write to the buffer, and both write whole
        // UTF-8 text; `split` takes all of it.
        unsafe { Utf8Bytes::from_utf8_unchecked(text) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_slices_of_one_buffer_until_it_is_full() {
        let mut arena = TextArena::new(16);
        arena.push_str("ab");
        arena.push_char('é');
        let first = arena.finish();
        arena.push_str("xyz");
        arena.discard();
        arena.push_str("cd");
        let second = arena.finish();
        assert_eq!((first.as_str(), second.as_str()), ("abé", "cd"));
        let end_of_first = first.as_str().as_bytes().as_ptr_range().end;
        assert_eq!(
            second.as_str().as_ptr(),
            end_of_first,
            "one buffer, one after the other"
        );
        arena.push_str(&"x".repeat(40));
        let third = arena.finish();
        assert_eq!(
            third.as_str().len(),
            40,
            "a longer text gets a buffer its size"
        );
        assert_eq!((first.as_str(), second.as_str()), ("abé", "cd"));
    }
}
