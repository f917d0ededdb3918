//! The hand-written parsers against independent references, at any chunk boundary: the SSE
//! decoder against a reference decoder of the spec, the partial-JSON parser against
//! serde_json. A binary of its own, needing no feature, because `.ci/miri` runs it under Miri
//! with the library's pipeline alone (the other test binaries need every area).

mod partial_json_props;
mod sse_decoder_props;
