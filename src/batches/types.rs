//! The Message Batches API's objects.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A Message Batch as the API describes it (`type: "message_batch"`).
///
/// ```
/// use chat_anthropic::batches::{MessageBatch, ProcessingStatus};
/// let batch: MessageBatch = serde_json::from_str(r#"{"id":"msgbatch_1","type":"message_batch",
///   "processing_status":"in_progress","request_counts":{"processing":2,"succeeded":0,
///   "errored":0,"canceled":0,"expired":0},"created_at":"2026-11-26T10:00:00Z",
///   "expires_at":"2026-11-27T10:00:00Z","ended_at":null,"cancel_initiated_at":null,
///   "archived_at":null,"results_url":null}"#).unwrap();
/// assert_eq!(batch.processing_status, ProcessingStatus::InProgress);
/// assert_eq!(batch.request_counts.total(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageBatch {
    /// `msgbatch_…`
    pub id: String,
    /// `in_progress`, `canceling` or `ended`.
    pub processing_status: ProcessingStatus,
    /// How many requests are in each state.
    #[serde(default)]
    pub request_counts: RequestCounts,
    /// When the batch was created (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// When it expires if not ended (24 hours after creation).
    #[serde(default)]
    pub expires_at: String,
    /// When processing ended.
    #[serde(default)]
    pub ended_at: Option<String>,
    /// When a cancel was asked for.
    #[serde(default)]
    pub cancel_initiated_at: Option<String>,
    /// When the results were archived (no longer downloadable).
    #[serde(default)]
    pub archived_at: Option<String>,
    /// Where the JSONL results are, once the batch has ended.
    #[serde(default)]
    pub results_url: Option<String>,
    /// Every other field (`type`, fields added later), kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MessageBatch {
    /// Whether processing has ended (results can be read).
    pub fn is_ended(&self) -> bool {
        self.processing_status == ProcessingStatus::Ended
    }
}

/// `processing_status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProcessingStatus {
    /// Requests are being processed.
    InProgress,
    /// A cancel was asked for; requests not yet processed are being canceled.
    Canceling,
    /// Every request succeeded, errored, was canceled or expired.
    Ended,
    /// A status this version does not know, kept verbatim.
    Unknown(String),
}

impl ProcessingStatus {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InProgress => "in_progress",
            Self::Canceling => "canceling",
            Self::Ended => "ended",
            Self::Unknown(raw) => raw,
        }
    }
}

impl std::fmt::Display for ProcessingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProcessingStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProcessingStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(match raw.as_ref() {
            "in_progress" => Self::InProgress,
            "canceling" => Self::Canceling,
            "ended" => Self::Ended,
            other => Self::Unknown(other.to_owned()),
        })
    }
}

/// `request_counts`: the requests of a batch by state (all `processing` until it ends).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RequestCounts {
    /// Not yet finished.
    pub processing: u64,
    /// Answered.
    pub succeeded: u64,
    /// Failed with an error.
    pub errored: u64,
    /// Canceled before processing.
    pub canceled: u64,
    /// Not processed within 24 hours.
    pub expired: u64,
}

impl RequestCounts {
    /// All requests of the batch.
    pub fn total(&self) -> u64 {
        self.processing + self.succeeded + self.errored + self.canceled + self.expired
    }

    /// The requests that have finished, one way or another.
    pub fn finished(&self) -> u64 {
        self.total() - self.processing
    }
}

/// What `DELETE /v1/messages/batches/{id}` answers (`type: "message_batch_deleted"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeletedMessageBatch {
    /// The batch that was deleted.
    pub id: String,
    /// `"message_batch_deleted"`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// One page of `GET /v1/messages/batches`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Page {
    pub(crate) data: Vec<MessageBatch>,
    #[serde(default)]
    pub(crate) has_more: bool,
    #[serde(default)]
    pub(crate) last_id: Option<String>,
}
