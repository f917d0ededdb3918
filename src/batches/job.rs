//! A job split over several batches, seen as one.

use futures_util::{StreamExt, TryStreamExt};

use super::{BatchOutcome, BatchStream, Batches, MessageBatch, RequestCounts, WaitOptions};
use crate::error::Error;

/// The batches one [`submit`](Batches::submit) created, in input order: waited for,
/// canceled and read as one (see [`submit`](Batches::submit) for an example).
#[derive(Debug, Clone)]
pub struct BatchJob {
    handle: Batches,
    batches: Vec<MessageBatch>,
}

impl BatchJob {
    pub(crate) fn new(handle: Batches, batches: Vec<MessageBatch>) -> Self {
        Self { handle, batches }
    }

    /// The batches as last seen.
    pub fn batches(&self) -> &[MessageBatch] {
        &self.batches
    }

    /// The request counts of all batches, summed.
    pub fn request_counts(&self) -> RequestCounts {
        self.batches
            .iter()
            .fold(RequestCounts::default(), |mut sum, batch| {
                let c = batch.request_counts;
                sum.processing += c.processing;
                sum.succeeded += c.succeeded;
                sum.errored += c.errored;
                sum.canceled += c.canceled;
                sum.expired += c.expired;
                sum
            })
    }

    /// Whether every batch has ended.
    pub fn is_ended(&self) -> bool {
        self.batches.iter().all(MessageBatch::is_ended)
    }

    /// Polls every batch until all have ended, calling `progress` with the summed counts
    /// after each round.
    pub async fn wait(
        &mut self,
        options: WaitOptions,
        mut progress: impl FnMut(&RequestCounts),
    ) -> Result<(), Error> {
        for index in 0..self.batches.len() {
            if self.batches[index].is_ended() {
                continue;
            }
            let id = self.batches[index].id.clone();
            let mut snapshots = self.handle.watch(id, options);
            while let Some(batch) = snapshots.next().await {
                self.batches[index] = batch?;
                progress(&self.request_counts());
            }
        }
        Ok(())
    }

    /// Asks every batch not yet ended to cancel.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::batches::{BatchLimits, WaitOptions};
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// // The mock's batches take an hour, so the cancel comes in time.
    /// server.set_batch_processing_time(std::time::Duration::from_secs(3600));
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let batches = llm.batches().limits(BatchLimits::new(1, 1 << 20));
    /// let mut job = batches.submit([("a", "Hi"), ("b", "Hi")]).await?;
    /// job.cancel().await?;
    /// job.wait(WaitOptions::default().interval(std::time::Duration::from_millis(20)), |_| {}).await?;
    /// assert_eq!(job.request_counts().canceled, 2);
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&mut self) -> Result<(), Error> {
        for batch in &mut self.batches {
            if !batch.is_ended() {
                *batch = self.handle.cancel(&batch.id).await?;
            }
        }
        Ok(())
    }

    /// The results of all batches, one after the other, as one stream.
    pub fn results(&self) -> BatchStream<(String, BatchOutcome)> {
        let handle = self.handle.clone();
        let ids: Vec<String> = self.batches.iter().map(|b| b.id.clone()).collect();
        let streams = futures_util::stream::iter(ids).then(move |id| {
            let handle = handle.clone();
            async move { handle.results(&id).await }
        });
        Box::pin(streams.try_flatten())
    }
}
