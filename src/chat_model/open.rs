//! Opening a stream's response, again for each re-send before content.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tracing::Instrument;

use crate::chat_stream::{LiveEvents, ResendPolicy};
use crate::error::Error;
use serde_json::Value;

use super::ChatAnthropic;
use crate::messages::RateLimits;
use crate::request::Endpoint;
use crate::transport::{self, Body};

/// Sends (with retries before the first byte), checks the response is an event stream, and
/// frames the body (Bedrock's event-stream, a recording).
pub(super) struct Opener {
    /// The model: its credentials are resolved afresh for each attempt.
    pub(super) llm: ChatAnthropic,
    pub(super) body: Value,
    pub(super) bedrock: bool,
    pub(super) record_to: Option<PathBuf>,
    /// The request's span: every await runs inside it (`instrument`), none holds it entered.
    pub(super) span: tracing::Span,
}

impl Opener {
    /// The first response's events, with the stall watchdog, re-sent before content when
    /// `retry_before_content` (within the retries the first response left).
    pub(super) async fn live_events(
        self,
        retry_before_content: bool,
        stall_timeout: Option<Duration>,
    ) -> Result<(LiveEvents, RateLimits), Error> {
        let mut retries_spent = 0;
        let (body, rate_limits) = self.open(&mut retries_spent).await?;
        let max_retries = self.llm.policy().max_retries;
        let opener = Arc::new(self);
        let reopen = move |mut spent: u32| {
            let opener = opener.clone();
            async move {
                let (body, _) = opener.open(&mut spent).await?;
                Ok((body, spent))
            }
            .boxed()
        };
        let resend = ResendPolicy {
            reopen: Arc::new(reopen),
            retries_spent,
            max_retries,
            enabled: retry_before_content,
        };
        let events = LiveEvents::new(body, stall_timeout, Some(resend));
        Ok((events, rate_limits))
    }

    /// The response's body, framed, and the rate limits its headers report.
    async fn open(&self, retries_spent: &mut u32) -> Result<(Body, RateLimits), Error> {
        let policy = self.llm.policy();
        let response = self
            .llm
            .send_body(Endpoint::Stream, &self.body, &policy, retries_spent)
            .instrument(self.span.clone())
            .await?;
        crate::telemetry::record_response(&self.span, &response);
        tracing::debug!(parent: &self.span, status = response.status().as_u16(), "stream started");
        let rate_limits = RateLimits::from_headers(response.headers());
        let content_type = if self.bedrock {
            "application/vnd.amazon.eventstream"
        } else {
            "text/event-stream"
        };
        let mut body = transport::event_stream(response, content_type, policy.idle_timeout).await?;
        #[cfg(feature = "bedrock")]
        if self.bedrock {
            body = Box::pin(crate::bedrock::EventStreamToSse::new(body));
        }
        if let Some(path) = &self.record_to {
            // A re-send records afresh: the file holds the stream the caller got.
            body = Box::pin(crate::chat_stream::Tee::new(body, path)?);
        }
        Ok((body, rate_limits))
    }
}
