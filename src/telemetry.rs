pub(crate) fn record_retries(_retries: u32) {}
