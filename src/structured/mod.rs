//! Structured output: a reply read as a Rust type, whole
//! ([`ChatAnthropic::with_structured_output`](crate::ChatAnthropic::with_structured_output)) or
//! as it streams ([`StructuredStream`]). An area built on the client and on
//! [`tools`](crate::tools).
//!
//! Feature `structured` (a default feature).

mod model;
mod stream;

pub use model::{StructuredMethod, StructuredModel, StructuredResponse};
pub use stream::{PartialValue, StructuredChunk, StructuredStream};
