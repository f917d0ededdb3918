//! A handle on the node of the slot being filled, so that appending a fragment to the string
//! being streamed costs the same at any depth: no walk down from the root per fragment.

use std::ptr::NonNull;
use std::sync::Arc;

use serde_json::Value;

use super::path::{node_mut, Segment};

/// The live tree's node of the slot being filled (the string being read, mostly), once found.
///
/// It is valid while the tree it was found in is the parser's, unshared, and has not changed
/// shape. The parser makes sure of that: it forgets the node when the slot's value completes
/// and whenever it inserts anything, and before each use checks that the root is not shared
/// (a caller holding a snapshot makes the next write copy the tree; the node is then found
/// again in the copy). A clone of the parser starts without it. Miri's borrow checks pass over
/// the parser's tests: `cargo +nightly miri test --lib --no-default-features -- partial_json`.
#[derive(Debug, Default)]
pub(super) struct SlotNode(Option<NonNull<Value>>);

// SAFETY: the pointer is only dereferenced through `&mut PartialJsonParser`, which owns the
// tree it points into; holding it is like holding a `&mut Value` into owned data, which is
// `Send` and `Sync` because `Value` is.
unsafe impl Send for SlotNode {}
unsafe impl Sync for SlotNode {}

impl Clone for SlotNode {
    /// A clone shares the live tree with its original, so it finds the node again.
    fn clone(&self) -> Self {
        Self(None)
    }
}

impl SlotNode {
    /// The node of the slot at `path` in the parser's live tree `root`, which is copied first
    /// if a snapshot shares it (as `Arc::make_mut` does); walked to only when not yet known.
    pub(super) fn node<'a>(&mut self, root: &'a mut Arc<Value>, path: &[Segment]) -> &'a mut Value {
        if Arc::get_mut(root).is_none() {
            // Shared: the tree is about to be copied, and the node with it.
            self.0 = None;
        }
        let root = Arc::make_mut(root);
        match self.0 {
            // SAFETY: found earlier in this same tree, which is unshared, has not changed
            // shape since (the type's invariant), and is borrowed uniquely for 'a.
            Some(node) => unsafe { &mut *node.as_ptr() },
            None => {
                let node = NonNull::from(node_mut(root, path));
                self.0 = Some(node);
                // SAFETY: just found in the tree borrowed for 'a; the reference is made from
                // the kept pointer so that the pointer stays usable after it.
                unsafe { &mut *node.as_ptr() }
            }
        }
    }

    /// The slot's value completed, or the tree is about to change shape or be copied.
    pub(super) fn forget(&mut self) {
        self.0 = None;
    }
}
