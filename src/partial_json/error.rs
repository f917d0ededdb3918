//! Errors of the partial-JSON parser.

/// The input stopped being a prefix of valid JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct PartialJsonError {
    /// What is wrong.
    pub message: String,
    /// Where, in bytes from the start of the input.
    pub offset: usize,
}

/// Tool input that is not valid JSON: the raw text and the parse error are kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON ({error}): {raw}")]
pub struct InvalidJson {
    /// Every fragment, concatenated.
    pub raw: String,
    /// serde_json's description of the problem.
    pub error: String,
}
