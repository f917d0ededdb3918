//! The live tree, built when first read: a parser that keeps it is made from the text so far,
//! and the parser becomes that one at its next fragment.

use super::PartialJsonParser;

impl PartialJsonParser {
    /// This parser if it keeps the live tree, else its twin that does (made now if need be).
    pub(super) fn with_tree(&self) -> &Self {
        if self.keeps_tree {
            return self;
        }
        self.twin.get_or_init(|| {
            let mut twin = Self {
                keeps_tree: true,
                ..Self::default()
            };
            twin.run(&self.raw, None, None);
            Box::new(twin)
        })
    }

    /// Becomes the twin, if the live tree was read since the last fragment: the same text in
    /// the same state, plus the tree. The pointer, the members kept for path events and the
    /// writer of their texts are this parser's, so that events go on sharing them.
    #[inline]
    pub(super) fn adopt_twin(&mut self) {
        if let Some(twin) = self.twin.take() {
            self.become_twin(*twin);
        }
    }

    #[cold]
    fn become_twin(&mut self, mut twin: Self) {
        twin.pointer = std::mem::take(&mut self.pointer);
        twin.completed = std::mem::take(&mut self.completed);
        twin.texts = std::mem::take(&mut self.texts);
        *self = twin;
    }
}
