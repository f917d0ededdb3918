//! A handle on the node of the slot being filled, so that appending a fragment to the string
//! being streamed costs the same at any depth: no walk down from the root per fragment.
//!
//! # Why the kept pointer is sound
//!
//! The pointer is the `&mut Value` that [`node_mut`] returned, kept as a raw pointer. Under both
//! of Miri's aliasing models it stays usable exactly as long as nothing but the parser's own
//! writes through it touches the node's bytes. Two rules make sure of that:
//!
//! 1. **Only nodes below the root are kept.** A nested node lives in its parent's heap buffer
//!    (a `Vec`'s or a map's entries), which the `Arc` bookkeeping never touches: `Arc::get_mut`
//!    and `Arc::make_mut` retag and read the `ArcInner` (the counts and the root `Value`'s own
//!    bytes), not memory behind the root's pointers. The root itself sits inside the `ArcInner`,
//!    so a root string is reached through `Arc::make_mut` every time (no walk is needed there).
//! 2. **Anything else that may touch the tree first forgets the pointer.** A read through a
//!    shared reference ([`PartialJsonParser::value`](super::PartialJsonParser::value), a snapshot,
//!    `Debug`), a copy made for a snapshot or a clone, an insertion (which may move the parent's
//!    buffer) and the slot's completion all clear it; the next write walks down again and keeps
//!    the fresh pointer. Under Tree Borrows a read by anyone else would freeze the kept tag and
//!    a write by anyone else would disable it; under Stacked Borrows either would pop it. After
//!    a forget neither matters, since the old tag is never used again.
//!
//! The readers that must forget hold only `&self`, so the pointer sits in an `AtomicPtr`
//! (relaxed: a `&mut` use of the parser is already ordered after every shared borrow ends).
//! A parser read after every fragment therefore walks once per read, which such a caller
//! pays anyway to find the field it looks at; a parser pushed to without reads walks once per
//! slot.
//!
//! Checked by Miri under both models over the parser's tests, including root strings, root
//! arrays, reads, snapshots, clones and `Debug` between every fragment
//! (`src/partial_json/aliasing_tests.rs`) and its property tests, in CI by `.ci/miri` (by
//! hand: `cargo +nightly miri test --lib --no-default-features -- partial_json` and the same
//! with `MIRIFLAGS=-Zmiri-tree-borrows`).

use std::fmt;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Arc;

use serde_json::Value;

use super::path::{node_mut, Segment};

/// The live tree's node of the slot being filled (the string being read, mostly), once found
/// below the root. See the module documentation for when it is kept and forgotten.
#[derive(Default)]
pub(super) struct SlotNode(AtomicPtr<Value>);

impl Clone for SlotNode {
    /// The clone shares the live tree with its original, which it may copy (a read of every
    /// node): both start again from the root.
    fn clone(&self) -> Self {
        self.forget();
        Self::default()
    }
}

impl fmt::Debug for SlotNode {
    /// The parser's `Debug` reads the tree; the pointer is forgotten so that the read does not
    /// leave it stale (rule 2 of the module documentation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.forget();
        f.write_str("SlotNode")
    }
}

impl SlotNode {
    /// The node of the slot at `path` in the parser's live tree `root`, which is copied first
    /// if a snapshot shares it (as `Arc::make_mut` does); walked to only when not yet known.
    pub(super) fn node<'a>(&mut self, root: &'a mut Arc<Value>, path: &[Segment]) -> &'a mut Value {
        if path.is_empty() {
            // The root lives in the `ArcInner` that `make_mut` retags: never kept (rule 1).
            return Arc::make_mut(root);
        }
        if Arc::get_mut(root).is_none() {
            // Shared: the tree is about to be copied, and the node with it.
            self.forget();
        }
        let root = Arc::make_mut(root);
        let kept = *self.0.get_mut();
        if !kept.is_null() {
            // SAFETY: `kept` was derived from a `&mut` to a node below the root of this same
            // tree, which is unshared (checked just above), has not changed shape since (every
            // insertion forgets it), and that nothing else has read or written since it was kept
            // (every other access forgets it; `Arc`'s own accesses stay in the `ArcInner`). The
            // tree is borrowed uniquely for 'a through `root`, which is not used while the
            // returned reference lives.
            return unsafe { &mut *kept };
        }
        let kept = ptr::from_mut(node_mut(root, path));
        *self.0.get_mut() = kept;
        // SAFETY: made from the pointer just kept, so that the pointer stays the parent of the
        // reference handed out (its tag is not popped or frozen by it); it points to a live node
        // of the tree borrowed uniquely for 'a.
        unsafe { &mut *kept }
    }

    /// The slot's value completed, the tree is about to change shape or be copied, or someone
    /// else is about to read it.
    pub(super) fn forget(&self) {
        self.0.store(ptr::null_mut(), Ordering::Relaxed);
    }
}
