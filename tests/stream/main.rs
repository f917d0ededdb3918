//! The streaming pipeline without a network: the SSE decoder, the partial-JSON parser, the
//! fold, recorded streams against the official SDK's results, the layer rule over `src/`, and
//! the doc examples showing their mock setup. One binary (one link of the library) for all of
//! them.

#[path = "../common/mod.rs"]
mod common;

mod doc_examples;
mod exact_numbers;
mod layers;
mod recorded_fixtures;
mod stream_props;
mod tool_call_chunks;
mod update_sequences;
