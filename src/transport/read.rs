//! Reading a response body whole: bounded in size, each chunk within the idle timeout.

use std::time::Duration;

use super::local::{local, unwrap_local};
use super::Response;
use futures_util::StreamExt;

use crate::error::{Error, TimeoutError, TimeoutPhase, TransportError};

/// The start of a body, and whether that was all of it.
pub(crate) struct Prefix {
    pub(crate) bytes: Vec<u8>,
    pub(crate) complete: bool,
}

/// Reads `response`'s body up to `limit` bytes, waiting at most `idle` for each chunk. What
/// lies beyond the limit is never read: the response (and its connection) is dropped.
pub(crate) async fn prefix(
    response: Response,
    limit: usize,
    idle: Option<Duration>,
) -> Result<Prefix, Error> {
    let mut bytes = Vec::new();
    let mut body = std::pin::pin!(local(unwrap_local(response).bytes_stream()));
    loop {
        let next = body.next();
        let chunk = match idle {
            Some(after) => crate::clock::timeout(after, next)
                .await
                .map_err(|_| TimeoutError::new(TimeoutPhase::Body, after))?,
            None => next.await,
        }
        .transpose()
        .map_err(TransportError::new)?;
        let Some(chunk) = chunk else {
            return Ok(Prefix {
                bytes,
                complete: true,
            });
        };
        let room = limit - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Prefix {
                bytes,
                complete: false,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
}
