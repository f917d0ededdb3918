//! The tools bound to a model: typed here, handed to the request as the API's JSON.

use serde_json::Value;

use crate::error::RequestError;
use crate::request::ToolFields;
use crate::tools::{ToolChoice, ToolDefinition};

/// What `bind_tools`, `tool_choice` and structured output set.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct BoundTools {
    pub(crate) tools: Vec<ToolDefinition>,
    pub(crate) tool_choice: Option<ToolChoice>,
    /// `output_config.format` for native structured output.
    pub(crate) output_format: Option<Value>,
}

impl BoundTools {
    /// The request's tool fields.
    pub(crate) fn to_request(&self) -> Result<ToolFields, RequestError> {
        let tool_choice = self
            .tool_choice
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|err| RequestError::Serialize(err.to_string()))?;
        Ok(ToolFields {
            tools: self.tools.iter().map(ToolDefinition::to_json).collect(),
            tool_choice,
            output_format: self.output_format.clone(),
        })
    }
}
