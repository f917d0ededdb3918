//! The client over real HTTP against the mock server and raw loopback listeners, one module
//! per area (each was a test binary of its own). One binary: one link of the library and its
//! dependencies instead of one per file, the costliest step of building the tests.

#[path = "../common/mod.rs"]
mod common;

mod agent;
// Runs that keep going: paused turns, cut tool calls, compaction, the context budget.
#[cfg(feature = "agent")]
mod agent_runs;
mod bad_input;
mod batches;
mod bedrock;
mod client_http;
// Anthropic-defined client tools (feature client-tools): hostile paths, bash, an agent turn.
mod client_tools_agent;
mod client_tools_bash;
mod client_tools_editor;
mod client_tools_memory;
mod client_tools_support;
#[cfg(feature = "cache")]
mod compose_cache;
#[cfg(feature = "cache-redis")]
mod compose_cache_redis;
#[cfg(feature = "cache-sqlite")]
mod compose_cache_sqlite;
mod compose_fallbacks;
// Chat history (feature history; SQLite with history-sqlite) and trimming.
#[cfg(feature = "history")]
mod compose_history;
mod compose_model;
mod compose_retry;
mod compose_run_config;
mod compose_trim;
mod content;
mod hostile_network;
#[cfg(feature = "mcp")]
mod mcp;
// The API's MCP connector: typed `mcp_toolset`, the mock's rules, mcp_tool_use/result blocks.
mod mcp_connector;
mod mock_examples;
mod mock_server;
mod models_files;
mod rate_limits;
mod record_replay;
mod request_fields;
mod request_model_profiles;
mod request_parity;
mod request_path;
mod request_system_turns;
mod request_tool_schemas;
mod structured_fresh_mock;
// HTTPS on 127.0.0.1 through the TLS backend the features chose.
mod tls;
mod tools;
mod vertex_credentials;
mod web_sse;
