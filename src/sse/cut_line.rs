//! A line cut by chunk boundaries, held until its end arrives.

use std::ops::Range;

use bytes::{Bytes, BytesMut};

/// The start of a line that chunk boundaries cut, held until the line's end arrives, then
/// joined. A line cut into k pieces costs O(its length) whatever k: its pieces are copied into
/// the buffer while it has room, and once it has none, held as slices of their chunks (no
/// copy), then copied once into a buffer grown once to the line's size. No buffer is regrown
/// and copied again piece by piece, and a steady stream (each joined line dropped before the
/// next is cut, its buffer reclaimed) copies its cut lines straight in, with no allocation and
/// no reference count touched.
#[derive(Debug, Default)]
pub(super) struct CutLine {
    /// The first pieces, copied.
    buffer: BytesMut,
    /// The pieces after those, held.
    pieces: Vec<Bytes>,
    /// All the bytes of the line held, copied or not.
    len: usize,
}

impl CutLine {
    /// No part of a line is held.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes held.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Holds the next piece of the line: `range` of `chunk`.
    #[inline]
    pub(super) fn push(&mut self, chunk: &Bytes, range: Range<usize>) {
        self.len += range.len();
        if self.pieces.is_empty() && self.buffer.try_reclaim(range.len()) {
            self.buffer.extend_from_slice(&chunk[range]);
        } else if !range.is_empty() {
            self.pieces.push(chunk.slice(range));
        }
    }

    /// The whole line: the pieces held, then `end`. Nothing is held after.
    #[inline]
    pub(super) fn join(&mut self, end: &[u8]) -> Bytes {
        self.buffer
            .reserve(self.len - self.buffer.len() + end.len());
        if !self.pieces.is_empty() {
            for piece in self.pieces.drain(..) {
                self.buffer.extend_from_slice(&piece);
            }
        }
        self.buffer.extend_from_slice(end);
        self.len = 0;
        self.buffer.split().freeze()
    }

    /// Drops what is held (the chunks it points into are let go).
    pub(super) fn clear(&mut self) {
        self.buffer.clear();
        self.pieces.clear();
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes each of `chunks` whole.
    fn push_all(line: &mut CutLine, chunks: &[Bytes]) {
        for chunk in chunks {
            line.push(chunk, 0..chunk.len());
        }
    }

    fn chunks(count: u8) -> Vec<Bytes> {
        (0..count)
            .map(|i| Bytes::from(vec![b'a' + i % 26; 100]))
            .collect()
    }

    #[test]
    fn a_line_in_many_pieces_is_joined_in_one_buffer_of_its_size() {
        let mut line = CutLine::default();
        let chunks = chunks(40);
        push_all(&mut line, &chunks);
        line.push(&chunks[0], 7..7);
        assert_eq!(line.len(), 4000);
        assert_eq!(
            line.pieces.len(),
            40,
            "no room: every piece held, none copied"
        );
        let joined = line.join(b"end");
        assert_eq!(&joined[..], [&chunks.concat()[..], b"end"].concat());
        assert!(line.is_empty() && line.pieces.is_empty());
        assert_eq!(line.buffer.capacity(), 0, "grown once, to the line's size");
    }

    #[test]
    fn pieces_are_copied_while_the_reclaimed_buffer_has_room_then_held() {
        let mut line = CutLine::default();
        drop(line_of(&mut line, &chunks(10)));
        // The buffer of the dropped line is reclaimed: 1,000 bytes of room.
        let chunks = chunks(12);
        push_all(&mut line, &chunks[..10]);
        assert_eq!((line.buffer.len(), line.pieces.len()), (1000, 0), "copied");
        push_all(&mut line, &chunks[10..]);
        assert_eq!(
            (line.buffer.len(), line.pieces.len()),
            (1000, 2),
            "no room: held"
        );
        let second = line.join(b"!");
        assert_eq!(&second[..], [&chunks.concat()[..], b"!"].concat());
        // While a joined line is held, its buffer is not reused: pieces are held.
        let mut held = CutLine::default();
        let kept = line_of(&mut held, &chunks[..1]);
        held.push(&chunks[1], 0..10);
        assert_eq!(held.pieces.len(), 1);
        held.clear();
        assert!(held.is_empty() && held.pieces.is_empty() && held.buffer.is_empty());
        assert_eq!(kept.len(), 100);
    }

    fn line_of(line: &mut CutLine, chunks: &[Bytes]) -> Bytes {
        push_all(line, chunks);
        line.join(b"")
    }
}
