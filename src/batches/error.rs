//! What can go wrong with a batch before or around the API's own errors.

use super::MessageBatch;

/// A batch refused before sending, or a batch-specific failure. Every variant about one
/// request names it (`custom_id` and position), so the caller can fix that request.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::batches::BatchError;
/// use chat_anthropic::ChatAnthropic;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6").api_key("k").base_url("http://127.0.0.1:9");
/// let err = llm.batches().create([("q-1", "Hi"), ("q-1", "Hello")]).await.unwrap_err();
/// let Some(BatchError::DuplicateCustomId { custom_id, index, .. }) = err.area::<BatchError>() else { panic!("{err}") };
/// assert_eq!((custom_id.as_str(), *index), ("q-1", 1));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// A `custom_id` not matching `^[a-zA-Z0-9_-]{1,64}$`.
    #[error(
        "request #{index}: custom_id {custom_id:?} must be 1 to 64 letters, digits, '_' or '-'"
    )]
    InvalidCustomId {
        /// Position in the input.
        index: usize,
        /// The id given.
        custom_id: String,
    },
    /// A `custom_id` used twice.
    #[error("request #{index}: custom_id {custom_id:?} is already used by request #{first}")]
    DuplicateCustomId {
        /// Position of the second use.
        index: usize,
        /// Position of the first use.
        first: usize,
        /// The id.
        custom_id: String,
    },
    /// No requests at all.
    #[error("a batch needs at least one request")]
    Empty,
    /// More requests than one batch takes (use `submit` to split).
    #[error("request #{index} ({custom_id:?}) is past the limit of {limit} requests per batch")]
    TooManyRequests {
        /// Position of the first request over the limit.
        index: usize,
        /// Its id.
        custom_id: String,
        /// Requests per batch.
        limit: usize,
    },
    /// The body would exceed one batch's size (use `submit` to split), or one request alone
    /// is larger than a batch may be.
    #[error("request #{index} ({custom_id:?}) takes the batch to {bytes} bytes, past the limit of {limit}")]
    TooLarge {
        /// Position of the request that crosses the limit.
        index: usize,
        /// Its id.
        custom_id: String,
        /// The size with it.
        bytes: usize,
        /// Bytes per batch.
        limit: usize,
    },
    /// A request whose body could not be built (a model rule, bad content…).
    #[error("request #{index} ({custom_id:?}): {source}")]
    Request {
        /// Position in the input.
        index: usize,
        /// Its id.
        custom_id: String,
        /// Why.
        source: Box<crate::Error>,
    },
    /// Results were asked for before the batch ended.
    #[error("batch {id} has no results yet: it is {status}")]
    NotEnded {
        /// The batch.
        id: String,
        /// Its processing status.
        status: super::ProcessingStatus,
    },
    /// A `results_url` on another origin than the API's: the API key is not sent there.
    #[error("batch {id}: results_url {url:?} is not on the API's origin {origin:?}")]
    ForeignResultsUrl {
        /// The batch.
        id: String,
        /// The URL the API gave.
        url: String,
        /// The configured API origin.
        origin: String,
    },
    /// A results line longer than the configured maximum (memory stays bounded).
    #[error("results line {line} is longer than {limit} bytes")]
    LineTooLong {
        /// 1-based line number.
        line: u64,
        /// The limit.
        limit: usize,
    },
    /// A results line that is not a result object.
    #[error("results line {line}: {source}")]
    InvalidResultLine {
        /// 1-based line number.
        line: u64,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A job split over several batches failed part-way: `created` lists the batches already
    /// made (they run, and bill), so none is lost.
    #[error("{} batch(es) created, then: {source}", created.len())]
    Submit {
        /// The batches created before the failure.
        created: Vec<MessageBatch>,
        /// The failure.
        source: Box<crate::Error>,
    },
    /// Waiting gave up before the batch ended.
    #[error("batch {id} still {status} after waiting {waited:?}")]
    WaitTimeout {
        /// The batch.
        id: String,
        /// Its last status.
        status: super::ProcessingStatus,
        /// How long we waited.
        waited: std::time::Duration,
    },
}

impl From<BatchError> for crate::error::Error {
    fn from(err: BatchError) -> Self {
        Self::Area(Box::new(err))
    }
}
