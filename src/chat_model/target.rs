//! The request target: URL, headers, authentication and body form for each platform. The
//! only code that differs between Anthropic's API, Vertex AI and Bedrock.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use serde_json::Value;

use super::{platform, vertex, ApiKey, ChatAnthropic, Platform, ANTHROPIC_VERSION};
use crate::error::Error;
use crate::request::Endpoint;
use crate::transport::Prepared;

impl ChatAnthropic {
    /// URL, headers and body of one request. Credentials, base URL and platform settings
    /// are resolved here, so a missing one is an error at the first call, naming the
    /// variable to set.
    pub(super) fn prepare(&self, endpoint: Endpoint, body: Value) -> Result<Prepared, Error> {
        let Value::Object(mut body) = body else {
            return Err(Error::Config("the request body is not an object".into()));
        };
        let mut headers = HeaderMap::new();
        #[cfg(feature = "bedrock")]
        let mut signer = None;
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            "anthropic-version",
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        if !self.config.betas.is_empty() {
            headers.insert(
                "anthropic-beta",
                header_value(&self.config.betas.join(","))?,
            );
        }
        let url = match &self.config.platform {
            Platform::Anthropic => {
                let mut key = header_value(self.resolved_api_key()?.expose())?;
                key.set_sensitive(true);
                headers.insert("x-api-key", key);
                let base = self.anthropic_base_url();
                let path = match endpoint {
                    Endpoint::Stream => "/v1/messages",
                    Endpoint::CountTokens => "/v1/messages/count_tokens",
                };
                format!("{}{path}", base.trim_end_matches('/'))
            }
            Platform::Vertex { region, project_id } => {
                let target = vertex::target(
                    region.as_ref(),
                    project_id.as_ref(),
                    self.config.base_url.as_ref(),
                    self.access_token.as_ref(),
                    endpoint,
                    &mut body,
                )?;
                let mut bearer = header_value(&format!("Bearer {}", target.token.expose()))?;
                bearer.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, bearer);
                target.url
            }
            Platform::Bedrock { region } => {
                let target = self.bedrock_target(region.as_ref(), endpoint, &mut body)?;
                headers.remove("anthropic-version");
                headers.remove("anthropic-beta");
                headers.insert(
                    reqwest::header::ACCEPT,
                    HeaderValue::from_static("application/vnd.amazon.eventstream"),
                );
                #[cfg(feature = "bedrock")]
                {
                    signer = Some((target.1, target.2));
                }
                target.0
            }
        };
        for (name, value) in &self.config.default_headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
            headers.insert(name, header_value(value)?);
        }
        let body = serde_json::to_vec(&body)
            .map_err(|e| Error::Config(format!("could not serialize the request: {e}")))?;
        // Signed last, over the final URL, headers and body.
        #[cfg(feature = "bedrock")]
        if let Some((credentials, region)) = signer {
            crate::bedrock::sign(
                "POST",
                &url,
                &mut headers,
                &body,
                &credentials,
                &region,
                std::time::SystemTime::now(),
            )?;
        }
        Ok(Prepared {
            url,
            headers,
            body: Bytes::from(body),
        })
    }

    /// The Bedrock URL, credentials and region; the body becomes Bedrock's.
    #[cfg(feature = "bedrock")]
    fn bedrock_target(
        &self,
        region: Option<&String>,
        endpoint: Endpoint,
        body: &mut serde_json::Map<String, Value>,
    ) -> Result<(String, crate::bedrock::AwsCredentials, String), Error> {
        if endpoint == Endpoint::CountTokens {
            return Err(Error::Config(
                "token counting is not available through Amazon Bedrock here: count against Anthropic's API or Vertex AI".into(),
            ));
        }
        let region =
            platform::setting(region, &["AWS_REGION", "AWS_DEFAULT_REGION"], "AWS region")?;
        let credentials = match &self.aws_credentials {
            Some(credentials) => credentials.clone(),
            None => crate::bedrock::AwsCredentials::from_env()?,
        };
        let base = self
            .config
            .base_url
            .clone()
            .or_else(|| platform::env_var(&["ANTHROPIC_BEDROCK_BASE_URL"]))
            .unwrap_or_else(|| crate::bedrock::default_base_url(&region));
        let url = crate::bedrock::invoke_url(&base, &self.config.model);
        crate::bedrock::to_bedrock_body(body, &self.config.betas);
        Ok((url, credentials, region))
    }

    #[cfg(not(feature = "bedrock"))]
    fn bedrock_target(
        &self,
        _region: Option<&String>,
        _endpoint: Endpoint,
        _body: &mut serde_json::Map<String, Value>,
    ) -> Result<(String,), Error> {
        Err(Error::Config(
            "Amazon Bedrock needs the crate's `bedrock` cargo feature".into(),
        ))
    }

    /// The API key given in code, else `ANTHROPIC_API_KEY`.
    pub(super) fn resolved_api_key(&self) -> Result<ApiKey, Error> {
        match &self.api_key {
            Some(key) => Ok(key.clone()),
            None => platform::env_var(&["ANTHROPIC_API_KEY"])
                .map(ApiKey::new)
                .ok_or_else(|| {
                    Error::Config(
                        "no API key: set ANTHROPIC_API_KEY or call ChatAnthropic::api_key".into(),
                    )
                }),
        }
    }
}

fn header_value(value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::Config("a header value has invalid characters".into()))
}
