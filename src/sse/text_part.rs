//! Texts written one after another into shared chunks: each a part of a chunk, which lives
//! as long as any part of it. The partial-JSON parser writes its events' texts (pointers, and
//! deltas that are not slices of the fragment) this way, so such a text costs a copy and a
//! reference-count increment, not an allocation, and no work at the end of the fragment.
//!
//! # Why the unsafe code is sound
//!
//! A [`Chunk`] is a fixed run of bytes behind `UnsafeCell`s, shared through an `Arc` by the
//! [`TextWriter`] that fills it and the [`TextPart`]s written to it. Three rules hold:
//!
//! 1. **Each byte is written once, before any part covers it.** The writer keeps the length
//!    written so far and only ever writes past it, then moves it on; a full chunk is dropped
//!    by the writer, never written again (no reuse). A part is made right after its bytes are
//!    written and covers only them.
//! 2. **A part reads only its own bytes**, as a `&str` borrowed from the part (so it cannot
//!    outlive the part, nor the chunk the part keeps alive). By rule 1 no write ever touches
//!    those bytes afterwards: the reader's shared reference is never invalidated, under Stacked
//!    Borrows (no write pops its tag) or Tree Borrows (no foreign write disables it), and reads
//!    never race with the writer, which writes other bytes of the same chunk.
//! 3. **Writes go through a pointer derived from `&[UnsafeCell<u8>]`**, the only way the
//!    chunk's bytes are reached: a shared reference to interior-mutable data, through which
//!    both models allow writes.
//!
//! The bytes a part covers were copied in one piece from a `&str`, so they are UTF-8. A part
//! reaches another thread only through whatever hands it over (a channel, a task), which orders
//! the write before the read. Checked by Miri under both models, in CI by `.ci/miri` (by hand:
//! `cargo +nightly miri test --lib --no-default-features -- text_part partial_json`, and the
//! same with `MIRIFLAGS=-Zmiri-tree-borrows`).

use std::cell::UnsafeCell;
use std::sync::Arc;

/// Bytes per chunk: a few hundred of a tool call's fragment texts. A longer text gets a chunk
/// of its own size.
const CHUNK: usize = 4 * 1024;

/// The `len` of a part that is all of its chunk, however long (a text of 4 GiB or more).
const WHOLE: u32 = u32::MAX;

/// Bytes written once each (see the module documentation).
struct Chunk(Box<[UnsafeCell<u8>]>);

// SAFETY: shared between threads, a chunk is only read at bytes that are never written again
// (rules 1 and 2 of the module documentation), and written by its one writer at bytes no part
// covers yet: no two threads access the same byte unless both only read it.
unsafe impl Sync for Chunk {}

impl Chunk {
    fn new(len: usize) -> Arc<Self> {
        Arc::new(Self((0..len).map(|_| UnsafeCell::new(0)).collect()))
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// A pointer to the byte at `at` (or one past the end), with the right to write the
    /// chunk's bytes (rule 3).
    fn byte(&self, at: usize) -> *mut u8 {
        UnsafeCell::raw_get(self.0.as_ptr().wrapping_add(at))
    }
}

/// A text that is a part of a shared chunk (16 bytes): cloning it is a reference-count
/// increment. The empty text holds no chunk.
#[derive(Clone, Default)]
pub(crate) struct TextPart {
    chunk: Option<Arc<Chunk>>,
    start: u32,
    /// The text's length; [`WHOLE`] for all of the chunk.
    len: u32,
}

impl TextPart {
    pub(crate) fn as_str(&self) -> &str {
        let Some(chunk) = &self.chunk else {
            return "";
        };
        let (start, len) = match self.len {
            WHOLE => (0, chunk.len()),
            len => (self.start as usize, len as usize),
        };
        debug_assert!(start + len <= chunk.len());
        // SAFETY: `start..start + len` lies in the chunk, was written in one piece from a `&str`
        // before this part was made, and is never written again (module documentation, rules
        // 1 and 2); the `&str` borrows the part, which keeps the chunk alive.
        unsafe {
            let bytes = std::slice::from_raw_parts(chunk.byte(start).cast_const(), len);
            std::str::from_utf8_unchecked(bytes)
        }
    }

    /// A part that is a chunk of its own, of its size (a text not written by a parser).
    fn alone(text: &str) -> Self {
        let mut writer = TextWriter {
            chunk: Some(Chunk::new(text.len())),
            used: 0,
        };
        writer.write(text)
    }

    /// The chunk, to compare identities in tests.
    #[cfg(test)]
    fn chunk_ptr(&self) -> *const () {
        self.chunk
            .as_ref()
            .map_or(std::ptr::null(), |c| Arc::as_ptr(c).cast())
    }
}

impl From<&str> for TextPart {
    fn from(text: &str) -> Self {
        Self::alone(text)
    }
}

/// Writes texts one after another into a chunk, a new one when it is full.
#[derive(Default)]
pub(crate) struct TextWriter {
    chunk: Option<Arc<Chunk>>,
    /// How much of the chunk is written (and covered by parts).
    used: usize,
}

impl TextWriter {
    /// `text`, copied into the chunk being filled and shared from it.
    pub(crate) fn write(&mut self, text: &str) -> TextPart {
        if text.is_empty() {
            return TextPart::default();
        }
        let room = self
            .chunk
            .as_ref()
            .map_or(0, |chunk| chunk.len() - self.used);
        if room < text.len() {
            self.start_chunk(text.len());
        }
        let chunk = self
            .chunk
            .as_ref()
            .expect("a chunk with room was just made");
        let start = self.used;
        // SAFETY: `start..start + text.len()` lies in the chunk (room was checked) and past
        // every byte written so far, so no part covers it (rule 1); the pointer may write it
        // (rule 3), and the source is a separate `&str`.
        unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), chunk.byte(start), text.len()) };
        self.used += text.len();
        let (start, len) = match u32::try_from(text.len()) {
            // A text of its own chunk (see `start_chunk`) past what `u32` offsets reach.
            Ok(WHOLE) | Err(_) => (0, WHOLE),
            Ok(len) => (start as u32, len),
        };
        TextPart {
            chunk: Some(Arc::clone(chunk)),
            start,
            len,
        }
    }

    /// Leaves the chunk being filled to the parts that hold it and starts another with room
    /// for `len` bytes (a chunk of its own for a text of `CHUNK` bytes or more, so that
    /// offsets in a shared chunk stay below `CHUNK`).
    #[cold]
    fn start_chunk(&mut self, len: usize) {
        self.chunk = Some(Chunk::new(if len >= CHUNK { len } else { CHUNK }));
        self.used = 0;
    }
}

impl Clone for TextWriter {
    /// A clone writes to chunks of its own (the parts already written keep theirs).
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for TextWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextWriter")
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_parts_of_one_chunk_until_it_is_full() {
        let mut writer = TextWriter::default();
        let first = writer.write("/a/b");
        let second = writer.write("caf\u{e9} \u{1f389}");
        let empty = writer.write("");
        assert_eq!(
            (first.as_str(), second.as_str(), empty.as_str()),
            ("/a/b", "caf\u{e9} \u{1f389}", "")
        );
        assert_eq!(first.chunk_ptr(), second.chunk_ptr(), "one chunk");
        assert_eq!(
            second.as_str().as_ptr(),
            first.as_str().as_bytes().as_ptr_range().end,
            "one after the other"
        );
        // Filling the chunk starts another; the parts written keep theirs.
        let filler = "x".repeat(CHUNK - writer.used);
        let last_in_first = writer.write(&filler);
        assert_eq!(last_in_first.chunk_ptr(), first.chunk_ptr());
        let next = writer.write("y");
        assert_ne!(next.chunk_ptr(), first.chunk_ptr());
        let long = "z".repeat(CHUNK + 1);
        let own = writer.write(&long);
        assert_eq!(own.as_str(), long);
        assert_ne!(
            own.chunk_ptr(),
            next.chunk_ptr(),
            "a long text, a chunk of its own"
        );
        drop(writer);
        assert_eq!((first.as_str(), next.as_str()), ("/a/b", "y"));
        assert_eq!(last_in_first.as_str(), filler);
        assert_eq!(TextPart::from("alone").as_str(), "alone");
        assert_eq!(TextPart::from("").as_str(), "");
    }

    #[test]
    fn parts_are_read_on_other_threads_while_the_writer_goes_on() {
        let mut writer = TextWriter::default();
        let parts: Vec<TextPart> = (0..64).map(|i| writer.write(&format!("/t/{i}"))).collect();
        let reader = std::thread::spawn(move || {
            parts
                .iter()
                .enumerate()
                .all(|(i, part)| part.as_str() == format!("/t/{i}"))
        });
        for i in 0..64 {
            assert_eq!(writer.write(&format!("/u/{i}")).as_str(), format!("/u/{i}"));
        }
        assert!(reader.join().unwrap());
    }

    #[test]
    fn a_part_is_two_words() {
        assert_eq!(std::mem::size_of::<TextPart>(), 16);
    }
}
