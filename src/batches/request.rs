//! One request of a batch, its checks, and its encoding: each request is built by the same
//! code as `invoke` builds its body, serialized once, and kept as its own piece of the
//! create body so a large batch is never one giant string.

use std::collections::HashMap;

use bytes::Bytes;
use serde_json::{Map, Value};

use super::BatchError;
use crate::chat_model::ChatAnthropic;
use crate::error::{ConfigReason, Error};
use crate::messages::{IntoMessages, Message};
use crate::request::{self, Endpoint};

/// One request of a Message Batch: a `custom_id` and the conversation, with the handle's
/// model settings unless overridden for this request.
///
/// ```
/// use chat_anthropic::batches::BatchRequest;
/// use chat_anthropic::ChatAnthropic;
/// let short = BatchRequest::new("q-1", "Summarise the news.")
///     .with_model(ChatAnthropic::new("claude-haiku-4-5").max_tokens(64))
///     .param("service_tier", "standard_only");
/// assert_eq!(short.custom_id(), "q-1");
/// let plain: BatchRequest = ("q-2", "Hello").into();
/// # let _ = plain;
/// ```
#[derive(Debug)]
pub struct BatchRequest {
    custom_id: String,
    messages: Result<Vec<Message>, Error>,
    model: Option<ChatAnthropic>,
    params: Map<String, Value>,
}

impl BatchRequest {
    /// A request answering `input` (anything `invoke` takes).
    pub fn new(custom_id: impl Into<String>, input: impl IntoMessages) -> Self {
        Self {
            custom_id: custom_id.into(),
            messages: input.into_messages().map_err(Into::into),
            model: None,
            params: Map::new(),
        }
    }

    /// Builds this request from `model`'s settings (model name, `max_tokens`, tools,
    /// thinking, system…) instead of the handle's.
    pub fn with_model(mut self, model: ChatAnthropic) -> Self {
        self.model = Some(model);
        self
    }

    /// Sets one more `params` field for this request only (replacing any from the model).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(key.into(), value.into());
        self
    }

    /// The request's `custom_id`.
    pub fn custom_id(&self) -> &str {
        &self.custom_id
    }
}

impl<S: Into<String>, I: IntoMessages> From<(S, I)> for BatchRequest {
    fn from((custom_id, input): (S, I)) -> Self {
        Self::new(custom_id, input)
    }
}

/// One batch's limits. The API's are the default; smaller ones split jobs earlier.
///
/// ```
/// use chat_anthropic::batches::BatchLimits;
/// let limits = BatchLimits::default();
/// assert_eq!((limits.max_requests, limits.max_bytes), (100_000, 256 * 1024 * 1024));
/// let small = BatchLimits::new(1_000, 8 << 20);
/// # let _ = small;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchLimits {
    /// Requests per batch.
    pub max_requests: usize,
    /// Bytes of the create body per batch.
    pub max_bytes: usize,
}

impl BatchLimits {
    /// Limits of `max_requests` requests and `max_bytes` bytes per batch.
    pub fn new(max_requests: usize, max_bytes: usize) -> Self {
        Self {
            max_requests: max_requests.max(1),
            max_bytes,
        }
    }
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self::new(100_000, 256 * 1024 * 1024)
    }
}

/// The body around the requests: `{"requests":[` … `]}`.
pub(crate) const BODY_OPEN: &[u8] = b"{\"requests\":[";
pub(crate) const BODY_CLOSE: &[u8] = b"]}";

/// Requests encoded and checked, in input order.
#[derive(Debug, Default)]
pub(crate) struct Encoded {
    /// `custom_id`s, to name a request in an error.
    pub(crate) ids: Vec<String>,
    /// `{"custom_id":…,"params":…}` per request.
    pub(crate) pieces: Vec<Bytes>,
}

impl Encoded {
    /// Checks and encodes every request: ids valid and unique, each body built by the same
    /// code as `invoke` (less `stream`). Nothing is sent.
    pub(crate) fn new(
        llm: &ChatAnthropic,
        requests: impl IntoIterator<Item = BatchRequest>,
    ) -> Result<Self, Error> {
        let mut encoded = Self::default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, request) in requests.into_iter().enumerate() {
            check_custom_id(index, &request.custom_id)?;
            if let Some(&first) = seen.get(&request.custom_id) {
                return Err(BatchError::DuplicateCustomId {
                    index,
                    first,
                    custom_id: request.custom_id,
                }
                .into());
            }
            seen.insert(request.custom_id.clone(), index);
            let piece = encode(
                llm,
                request.custom_id.clone(),
                request.messages,
                request.model,
                request.params,
            )
            .map_err(|source| BatchError::Request {
                index,
                custom_id: request.custom_id.clone(),
                source: Box::new(source),
            })?;
            encoded.ids.push(request.custom_id);
            encoded.pieces.push(piece);
        }
        if encoded.pieces.is_empty() {
            return Err(BatchError::Empty.into());
        }
        Ok(encoded)
    }

    /// Splits into runs that each fit one batch (`index..end` ranges). A single request
    /// larger than a batch may be is an error naming it.
    pub(crate) fn split(
        &self,
        limits: BatchLimits,
    ) -> Result<Vec<std::ops::Range<usize>>, BatchError> {
        let mut runs = Vec::new();
        let mut start = 0;
        let mut bytes = body_size(0, 0);
        for (index, piece) in self.pieces.iter().enumerate() {
            let count = index - start;
            let with = bytes + piece.len() + usize::from(count > 0);
            if count > 0 && (count == limits.max_requests || with > limits.max_bytes) {
                runs.push(start..index);
                start = index;
                bytes = body_size(0, 0);
            }
            let with = bytes + piece.len() + usize::from(index > start);
            if with > limits.max_bytes {
                return Err(self.too_large(index, with, limits));
            }
            bytes = with;
        }
        runs.push(start..self.pieces.len());
        Ok(runs)
    }

    /// Checks that everything fits one batch.
    pub(crate) fn check_one_batch(&self, limits: BatchLimits) -> Result<(), BatchError> {
        if self.pieces.len() > limits.max_requests {
            let index = limits.max_requests;
            return Err(BatchError::TooManyRequests {
                index,
                custom_id: self.ids[index].clone(),
                limit: limits.max_requests,
            });
        }
        let mut bytes = body_size(0, 0);
        for (index, piece) in self.pieces.iter().enumerate() {
            bytes += piece.len() + usize::from(index > 0);
            if bytes > limits.max_bytes {
                return Err(self.too_large(index, bytes, limits));
            }
        }
        Ok(())
    }

    fn too_large(&self, index: usize, bytes: usize, limits: BatchLimits) -> BatchError {
        BatchError::TooLarge {
            index,
            custom_id: self.ids[index].clone(),
            bytes,
            limit: limits.max_bytes,
        }
    }
}

/// The size of a create body of `count` requests totalling `pieces` bytes.
fn body_size(count: usize, pieces: usize) -> usize {
    BODY_OPEN.len() + pieces + count.saturating_sub(1) + BODY_CLOSE.len()
}

/// Whether `id` matches the API's `^[a-zA-Z0-9_-]{1,64}$`.
pub(crate) fn is_valid_custom_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_custom_id(index: usize, id: &str) -> Result<(), BatchError> {
    if is_valid_custom_id(id) {
        Ok(())
    } else {
        Err(BatchError::InvalidCustomId {
            index,
            custom_id: id.to_owned(),
        })
    }
}

fn encode(
    llm: &ChatAnthropic,
    custom_id: String,
    messages: Result<Vec<Message>, Error>,
    model: Option<ChatAnthropic>,
    params: Map<String, Value>,
) -> Result<Bytes, Error> {
    let model = model.as_ref().unwrap_or(llm);
    let mut body = request::body(
        model.config(),
        &model.tools.to_request()?,
        messages?,
        Endpoint::Stream,
    )?;
    if let Value::Object(body) = &mut body {
        // A batch runs without streaming; everything else is what `invoke` sends.
        body.remove("stream");
        body.extend(params);
    }
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        custom_id: &'a str,
        params: &'a Value,
    }
    let entry = Entry {
        custom_id: &custom_id,
        params: &body,
    };
    serde_json::to_vec(&entry).map(Bytes::from).map_err(|e| {
        Error::config(
            ConfigReason::Encoding,
            format!("could not serialize the request: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(sizes: &[usize]) -> Encoded {
        Encoded {
            ids: (0..sizes.len()).map(|i| format!("r{i}")).collect(),
            pieces: sizes.iter().map(|&n| Bytes::from(vec![b'x'; n])).collect(),
        }
    }

    #[test]
    fn custom_ids_follow_the_api_pattern() {
        for ok in ["a", "A-z_09", &"x".repeat(64)] {
            assert!(check_custom_id(0, ok).is_ok(), "{ok}");
        }
        for bad in ["", "has space", "ü", "a.b", &"x".repeat(65)] {
            assert!(check_custom_id(3, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn splits_by_count_and_by_size_with_the_body_framing_counted() {
        let five = encoded(&[10, 10, 10, 10, 10]);
        let by_count = five.split(BatchLimits::new(2, 1 << 20)).unwrap();
        assert_eq!(by_count, vec![0..2, 2..4, 4..5]);
        // One batch of two 10-byte pieces: 13 + 10 + 1 + 10 + 2 = 36 bytes.
        assert_eq!(
            five.split(BatchLimits::new(100, 36)).unwrap(),
            vec![0..2, 2..4, 4..5]
        );
        assert_eq!(five.split(BatchLimits::new(100, 35)).unwrap().len(), 5);
        assert!(five.check_one_batch(BatchLimits::new(5, 1000)).is_ok());
        let Err(BatchError::TooManyRequests {
            index, custom_id, ..
        }) = five.check_one_batch(BatchLimits::new(4, 1000))
        else {
            panic!()
        };
        assert_eq!((index, custom_id.as_str()), (4, "r4"));
        let Err(BatchError::TooLarge { index, bytes, .. }) =
            five.check_one_batch(BatchLimits::new(100, 36))
        else {
            panic!()
        };
        assert_eq!((index, bytes), (2, 47));
    }

    #[test]
    fn one_request_larger_than_a_batch_is_named() {
        let big = encoded(&[10, 100, 10]);
        let Err(BatchError::TooLarge {
            index, custom_id, ..
        }) = big.split(BatchLimits::new(100, 50))
        else {
            panic!()
        };
        assert_eq!((index, custom_id.as_str()), (1, "r1"));
    }
}
