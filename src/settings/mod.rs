//! What a [`ChatAnthropic`](crate::ChatAnthropic) is configured with: plain, serializable
//! settings and the model profiles, read by the request builder below and the chat model
//! above, so neither reaches into the other. The defaults and the API versions the client
//! uses live here too ([`DEFAULT_BASE_URL`], [`ANTHROPIC_VERSION`], [`DEFAULT_MAX_TOKENS`], …).

mod config;
mod env;
mod fields;
mod platform;
mod profile;
mod profile_table;
mod secret;
mod thinking;
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
mod tls;

pub use config::{
    ChatAnthropicConfig, BATCH_RATE_LIMIT_RETRIES, DEFAULT_BATCH_CONCURRENCY, DEFAULT_MAX_TOKENS,
};
pub use env::{Environment, VARIABLES};
pub use fields::{Container, ContextManagement, Effort, McpServer, ServiceTier, Speed};
pub use platform::{Platform, ANTHROPIC_VERSION, DEFAULT_BASE_URL, VERTEX_ANTHROPIC_VERSION};
pub use profile::{ModelProfile, ThinkingMode};
pub use secret::ApiKey;
pub use thinking::Thinking;
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
pub use tls::RootCertificate;
