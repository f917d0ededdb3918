//! Tools: definitions (from a Rust type through `schemars`, from a JSON Schema, or one of the
//! API's own tool types passed through as JSON) and `tool_choice`. Structured output, built on
//! them and on the client, is [`structured`](crate::structured).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
//! use chat_anthropic::tools::Tool;
//! use chat_anthropic::ChatAnthropic;
//! use chat_anthropic_mock::{MockReply, MockScript, MockServer};
//!
//! /// Get the current weather in a given location
//! #[derive(schemars::JsonSchema, serde::Deserialize)]
//! struct GetWeather {
//!     /// The city and state, e.g. San Francisco, CA
//!     location: String,
//! }
//!
//! // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
//! let server = MockServer::start().await;
//! server.enqueue(MockReply::script(MockScript::new()
//!     .tool_use("toolu_1", "GetWeather", serde_json::json!({"location": "Los Angeles, CA"}))));
//! let llm = ChatAnthropic::new("claude-sonnet-4-6")
//!     .base_url(server.base_url())
//!     .api_key("test");
//! let llm_with_tools = llm.bind_tools([Tool::from_type::<GetWeather>()]);
//! let reply = llm_with_tools.invoke("Which city is hotter today: LA or NY?").await?;
//! let call = &reply.tool_calls[0];
//! assert_eq!(call.name, "GetWeather");
//! assert_eq!(call.parse::<GetWeather>().unwrap().location, "Los Angeles, CA");
//! # Ok(()) }
//! ```

mod changes;
mod choice;
mod definition;
mod mcp_toolset;
pub(crate) mod schema;
#[cfg(feature = "structured")]
mod type_schema;

pub use changes::ToolChange;
pub use choice::ToolChoice;
pub use definition::{Tool, ToolDefinition};
pub use mcp_toolset::{McpToolConfig, McpToolset};
