//! Where requests go: Anthropic's API, Google Vertex AI, or Amazon Bedrock. Everything but
//! the request target and the authentication is shared.

use serde::{Deserialize, Serialize};

/// The public API's address.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// The API version this crate speaks (the `anthropic-version` header).
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// The `anthropic_version` Vertex AI expects in the body.
pub const VERTEX_ANTHROPIC_VERSION: &str = "vertex-2023-10-16";

/// The platform serving the model.
///
/// ```
/// use chat_anthropic::settings::Platform;
/// use chat_anthropic::ChatAnthropic;
/// let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929").vertex("us-east5", "my-project");
/// assert_eq!(llm.config().platform, Platform::Vertex { region: Some("us-east5".into()), project_id: Some("my-project".into()) });
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Platform {
    /// `POST {base}/v1/messages` with `x-api-key`.
    #[default]
    Anthropic,
    /// Google Vertex AI: `POST {base}/v1/projects/{project}/locations/{region}/publishers/
    /// anthropic/models/{model}:streamRawPredict` with a bearer token, `anthropic_version:
    /// "vertex-2023-10-16"` in the body and the model in the URL.
    Vertex {
        /// The region (`us-east5`, `europe-west1`, `global`, …); `None` reads `CLOUD_ML_REGION`.
        region: Option<String>,
        /// The Google Cloud project; `None` reads `ANTHROPIC_VERTEX_PROJECT_ID`.
        project_id: Option<String>,
    },
    /// Amazon Bedrock (cargo feature `bedrock`): `POST {base}/model/{model}/invoke-with-
    /// response-stream`, SigV4-signed, answered in AWS event-stream framing.
    Bedrock {
        /// The AWS region; `None` reads `AWS_REGION`, then `AWS_DEFAULT_REGION`.
        region: Option<String>,
    },
}
