//! The streaming pipeline without a network: the SSE decoder, the partial-JSON parser, the
//! fold, recorded streams against the official SDK's results, and the layer rule over `src/`.
//! One binary (one link of the library) for all of them.

#[path = "../common/mod.rs"]
mod common;

mod exact_numbers;
mod layers;
mod partial_json_props;
mod recorded_fixtures;
mod sse_decoder_props;
mod stream_props;
mod tool_call_chunks;
mod update_sequences;
