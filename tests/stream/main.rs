//! The streaming pipeline without a network: the SSE decoder, the partial-JSON parser, the
//! fold, recorded streams against the official SDK's results, the layer rule over `src/`, and
//! the doc examples showing their mock setup. One binary (one link of the library) for all of
//! them.

// Under Miri (.ci/miri) only the parsers' property tests are built: the others need the
// library's every area, a dev-dependency left out there (Cargo.toml).
#[cfg(not(miri))]
#[path = "../common/mod.rs"]
mod common;

#[cfg(not(miri))]
mod doc_examples;
#[cfg(not(miri))]
mod exact_numbers;
#[cfg(not(miri))]
mod layers;
mod partial_json_props;
#[cfg(not(miri))]
mod recorded_fixtures;
mod sse_decoder_props;
#[cfg(not(miri))]
mod stream_props;
#[cfg(not(miri))]
mod tool_call_chunks;
#[cfg(not(miri))]
mod update_sequences;
