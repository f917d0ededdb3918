//! What a [`ChatAnthropic`](crate::ChatAnthropic) is configured with: plain, serializable
//! settings read by the request builder below and the chat model above, so neither reaches
//! into the other.

mod config;
mod platform;
mod thinking;

pub use config::ChatAnthropicConfig;
pub use platform::Platform;
pub use thinking::Thinking;
