//! The request target: URL, headers, authentication and body form for each platform. The
//! only code that differs between Anthropic's API, Vertex AI and Bedrock.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Map, Value};

use super::{vertex, ApiKey, ChatAnthropic, Platform, ANTHROPIC_VERSION};
use crate::error::{ConfigReason, Error};
use crate::request::Endpoint;
use crate::transport::{Prepared, Signer};

/// Where one request goes, how it authenticates, and (Bedrock) how each attempt is signed.
struct Target {
    url: String,
    signer: Option<Signer>,
}

impl ChatAnthropic {
    /// URL, headers and body of one request. Credentials, base URL and platform settings
    /// are resolved here, so a missing one is an error at the first call, naming the
    /// variable to set. Bedrock requests carry a signer: each attempt is signed when sent.
    pub(super) fn prepare(&self, endpoint: Endpoint, body: Value) -> Result<Prepared, Error> {
        let Value::Object(mut body) = body else {
            return Err(Error::config(
                ConfigReason::InvalidInput,
                "the request body is not an object",
            ));
        };
        let mut headers = self.common_headers(&body)?;
        let target = match &self.config.platform {
            Platform::Anthropic => {
                let path = match endpoint {
                    Endpoint::Stream => "/v1/messages",
                    Endpoint::CountTokens => "/v1/messages/count_tokens",
                };
                self.anthropic_target(path, &mut headers)?
            }
            Platform::Vertex { region, project_id } => {
                let target = vertex::target(
                    self.env(),
                    region.as_ref(),
                    project_id.as_ref(),
                    self.config.base_url.as_ref(),
                    self.access_token.as_ref(),
                    endpoint,
                    &mut body,
                )?;
                vertex_bearer(&target, &mut headers)?
            }
            Platform::Bedrock { region } => {
                headers.remove("anthropic-version");
                headers.remove("anthropic-beta");
                headers.insert(
                    ACCEPT,
                    HeaderValue::from_static("application/vnd.amazon.eventstream"),
                );
                self.bedrock_target(region.as_ref(), endpoint, &mut body)?
            }
        };
        self.add_default_headers(&mut headers)?;
        let body = serde_json::to_vec(&body).map_err(|e| {
            Error::config(
                ConfigReason::Encoding,
                format!("could not serialize the request: {e}"),
            )
        })?;
        Ok(Prepared {
            url: target.url,
            headers,
            body: Bytes::from(body),
            signer: target.signer,
        })
    }

    /// `content-type`, `anthropic-version` and `anthropic-beta`.
    /// Headers every platform sends; the betas are the caller's merged with those the body's
    /// fields need.
    fn common_headers(&self, body: &Map<String, Value>) -> Result<HeaderMap, Error> {
        let betas = crate::request::merged_betas(&self.config.betas, body);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            "anthropic-version",
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        if !betas.is_empty() {
            headers.insert(
                "anthropic-beta",
                header_value("anthropic-beta", &betas.join(","))?,
            );
        }
        Ok(headers)
    }

    /// URL and headers for another endpoint of Anthropic's own API (`path` from `/v1/…`),
    /// e.g. the Message Batches API, which the cloud platforms do not offer in this form.
    pub(crate) fn anthropic_endpoint(&self, path: &str) -> Result<(String, HeaderMap), Error> {
        if self.config.platform != Platform::Anthropic {
            return Err(Error::config(
                ConfigReason::Unsupported,
                format!(
                    "{path} is only offered by Anthropic's own API, not {:?}",
                    self.config.platform
                ),
            ));
        }
        let mut headers = self.common_headers(&Map::new())?;
        let target = self.anthropic_target(path, &mut headers)?;
        self.add_default_headers(&mut headers)?;
        Ok((target.url, headers))
    }

    /// Anthropic's API: `x-api-key`, `{base}{path}`.
    fn anthropic_target(&self, path: &str, headers: &mut HeaderMap) -> Result<Target, Error> {
        headers.insert(
            "x-api-key",
            secret_header_value(self.resolved_api_key()?.expose())?,
        );
        let base = self.anthropic_base_url();
        Ok(Target {
            url: format!("{}{path}", base.trim_end_matches('/')),
            signer: None,
        })
    }

    /// The user's own headers, last, so they may override ours; their values are sensitive.
    pub(super) fn add_default_headers(&self, headers: &mut HeaderMap) -> Result<(), Error> {
        for (name, value) in &self.config.default_headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::config(
                    ConfigReason::InvalidSetting,
                    format!("invalid header name {name:?}"),
                )
            })?;
            let mut value = header_value(name, value)?;
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        Ok(())
    }

    /// The Bedrock URL and a SigV4 signer; the body becomes Bedrock's.
    #[cfg(feature = "bedrock")]
    fn bedrock_target(
        &self,
        region: Option<&String>,
        endpoint: Endpoint,
        body: &mut Map<String, Value>,
    ) -> Result<Target, Error> {
        if endpoint == Endpoint::CountTokens {
            return Err(Error::config(
                ConfigReason::Unsupported,
                "token counting is not available through Amazon Bedrock here: count against Anthropic's API or Vertex AI",
            ));
        }
        let region =
            self.env()
                .setting(region, &["AWS_REGION", "AWS_DEFAULT_REGION"], "AWS region")?;
        let credentials = match &self.aws_credentials {
            Some(credentials) => credentials.clone(),
            None => crate::bedrock::AwsCredentials::from_lookup(|name| {
                self.env().get(name).map(str::to_owned)
            })?,
        };
        let base = self
            .config
            .base_url
            .clone()
            .or_else(|| self.env().first(&["ANTHROPIC_BEDROCK_BASE_URL"]))
            .unwrap_or_else(|| crate::bedrock::default_base_url(&region));
        let url = crate::bedrock::invoke_url(&base, &self.config.model);
        let betas = crate::request::merged_betas(&self.config.betas, body);
        crate::bedrock::to_bedrock_body(body, &betas);
        // Signed over the final URL, headers and body, at each attempt's own time.
        let signer: Signer =
            std::sync::Arc::new(move |url: &str, headers: &mut HeaderMap, body: &[u8]| {
                crate::bedrock::sign(
                    "POST",
                    url,
                    headers,
                    body,
                    &credentials,
                    &region,
                    std::time::SystemTime::now(),
                )
            });
        Ok(Target {
            url,
            signer: Some(signer),
        })
    }

    #[cfg(not(feature = "bedrock"))]
    fn bedrock_target(
        &self,
        _region: Option<&String>,
        _endpoint: Endpoint,
        _body: &mut Map<String, Value>,
    ) -> Result<Target, Error> {
        Err(Error::config(
            ConfigReason::Unsupported,
            "Amazon Bedrock needs the crate's `bedrock` cargo feature",
        ))
    }

    /// The API key given in code, else `ANTHROPIC_API_KEY` as read when the model was built.
    pub(super) fn resolved_api_key(&self) -> Result<ApiKey, Error> {
        match &self.api_key {
            Some(key) => Ok(key.clone()),
            None => self
                .env()
                .first(&["ANTHROPIC_API_KEY"])
                .map(ApiKey::new)
                .ok_or_else(|| {
                    Error::config(
                        ConfigReason::MissingCredentials,
                        "no API key: set ANTHROPIC_API_KEY or call ChatAnthropic::api_key",
                    )
                }),
        }
    }
}

/// Vertex AI's target, authenticated with its bearer token.
fn vertex_bearer(target: &vertex::VertexTarget, headers: &mut HeaderMap) -> Result<Target, Error> {
    let bearer = format!("Bearer {}", target.token.expose());
    headers.insert(AUTHORIZATION, secret_header_value(&bearer)?);
    Ok(Target {
        url: target.url.clone(),
        signer: None,
    })
}

/// A header value; the error names the header, never the value (it may be a secret).
pub(super) fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value).map_err(|_| {
        Error::config(
            ConfigReason::InvalidSetting,
            format!("the value of header {name:?} has invalid characters"),
        )
    })
}

/// A credential header value, marked sensitive so the HTTP stack never prints it.
pub(super) fn secret_header_value(value: &str) -> Result<HeaderValue, Error> {
    let mut value = header_value("authentication", value)?;
    value.set_sensitive(true);
    Ok(value)
}
