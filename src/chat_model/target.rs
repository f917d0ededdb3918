//! The request target: URL, headers, authentication and body form for each platform. The
//! only code that differs between Anthropic's API, Vertex AI and Bedrock.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Map, Value};

use super::resource::ApiCall;
use super::{vertex, ApiKey, ChatAnthropic, Platform, ANTHROPIC_VERSION};
use crate::error::{ConfigReason, Error, PlatformError, PlatformErrorKind};
use crate::request::Endpoint;
use crate::transport::{Prepared, Signer};

/// Where one request goes, how it authenticates, and (Bedrock) how each attempt is signed.
struct Target {
    url: String,
    signer: Option<Signer>,
}

/// What a request is for: the one thing [`ChatAnthropic::route`] needs to build the URL,
/// headers, betas and authentication of any endpoint on any platform.
#[derive(Clone, Copy)]
pub(crate) enum Route<'a> {
    /// The Messages API (`/v1/messages`, `/v1/messages/count_tokens`), on every platform
    /// that offers it; the body is turned into the platform's form.
    Messages(Endpoint),
    /// Another endpoint of Anthropic's own API (batches, files, models).
    Api(&'a ApiCall<'a>),
}

/// URL, headers and (Bedrock) signer of one request.
pub(crate) struct Routed {
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) signer: Option<Signer>,
}

impl ChatAnthropic {
    /// URL, headers and body of one Messages request. Credentials, base URL and platform
    /// settings are resolved here, so a missing one is an error at the first call, naming
    /// the variable to set. Bedrock requests carry a signer: each attempt is signed when sent.
    pub(super) fn prepare(&self, endpoint: Endpoint, body: Value) -> Result<Prepared, Error> {
        let Value::Object(mut body) = body else {
            return Err(Error::config(
                ConfigReason::InvalidInput,
                "the request body is not an object",
            ));
        };
        let routed = self.route(Route::Messages(endpoint), &mut body)?;
        let body = serde_json::to_vec(&body).map_err(|e| {
            Error::config(
                ConfigReason::Encoding,
                format!("could not serialize the request: {e}"),
            )
        })?;
        Ok(Prepared {
            url: routed.url,
            headers: routed.headers,
            body: Bytes::from(body),
            signer: routed.signer,
        })
    }

    /// The one place a request is addressed, for every endpoint and platform: whether the
    /// platform offers `route` (else [`PlatformErrorKind::Unsupported`]), the URL, the
    /// version and betas (the caller's, those the body's fields need, the endpoint's own),
    /// the authentication, then the user's own headers. `body` (Messages) is turned into the
    /// platform's form.
    pub(crate) fn route(
        &self,
        route: Route<'_>,
        body: &mut Map<String, Value>,
    ) -> Result<Routed, Error> {
        self.check_offered(route)?;
        let (extra_beta, json_body) = match route {
            Route::Api(call) => (call.beta, call.json_body),
            Route::Messages(_) => (None, true),
        };
        let mut headers = self.common_headers(body, extra_beta, json_body)?;
        let target = match (&self.settings.config.platform, route) {
            (Platform::Anthropic, route) => self.anthropic_target(route, &mut headers)?,
            (Platform::Vertex { region, project_id }, Route::Messages(endpoint)) => {
                let target = vertex::target(
                    self.env(),
                    region.as_ref(),
                    project_id.as_ref(),
                    self.settings.config.base_url.as_ref(),
                    self.settings.access_token.as_ref(),
                    endpoint,
                    body,
                )?;
                vertex_bearer(&target, &mut headers)?
            }
            (Platform::Bedrock { region }, Route::Messages(_)) => {
                headers.remove("anthropic-version");
                headers.remove("anthropic-beta");
                headers.insert(
                    ACCEPT,
                    HeaderValue::from_static("application/vnd.amazon.eventstream"),
                );
                self.bedrock_target(region.as_ref(), body)?
            }
            (_, Route::Api(_)) => unreachable!("check_offered refuses it"),
        };
        self.add_default_headers(&mut headers)?;
        Ok(Routed {
            url: target.url,
            headers,
            signer: target.signer,
        })
    }

    /// The one "not offered here" error: Anthropic's API offers every endpoint, Vertex AI
    /// the Messages API, Bedrock the Messages API without token counting.
    fn check_offered(&self, route: Route<'_>) -> Result<(), Error> {
        let what = match (&self.settings.config.platform, route) {
            (Platform::Anthropic, _) => return Ok(()),
            (Platform::Bedrock { .. }, Route::Messages(Endpoint::CountTokens)) => {
                "token counting (count against Anthropic's API or Vertex AI)".to_owned()
            }
            (_, Route::Messages(_)) => return Ok(()),
            (_, Route::Api(call)) => format!("/{}", call.path().join("/")),
        };
        Err(PlatformError::new(
            PlatformErrorKind::Unsupported,
            format!(
                "{what} is offered by Anthropic's own API, not through {:?}",
                self.settings.config.platform
            ),
        )
        .into())
    }

    /// `anthropic-version`, `anthropic-beta` and (for a JSON body) `content-type`: headers
    /// every platform sends; the betas are the caller's merged with those the body's fields
    /// need and the endpoint's own.
    fn common_headers(
        &self,
        body: &Map<String, Value>,
        extra_beta: Option<&str>,
        json_body: bool,
    ) -> Result<HeaderMap, Error> {
        let mut betas = crate::request::merged_betas(&self.settings.config.betas, body);
        if let Some(beta) = extra_beta.filter(|beta| !betas.iter().any(|b| b == beta)) {
            betas.push(beta.to_owned());
        }
        let mut headers = HeaderMap::new();
        if json_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
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

    /// Anthropic's API: `x-api-key`, `{base}/v1/…`.
    fn anthropic_target(&self, route: Route<'_>, headers: &mut HeaderMap) -> Result<Target, Error> {
        headers.insert(
            "x-api-key",
            secret_header_value(self.resolved_api_key()?.expose())?,
        );
        self.add_direct_browser_access(headers);
        let base = self.anthropic_base_url();
        let url = match route {
            Route::Messages(Endpoint::Stream) => {
                format!("{}/v1/messages", base.trim_end_matches('/'))
            }
            Route::Messages(Endpoint::CountTokens) => {
                format!("{}/v1/messages/count_tokens", base.trim_end_matches('/'))
            }
            Route::Api(call) => call.url(&base)?,
        };
        Ok(Target { url, signer: None })
    }

    /// The user's own headers, last, so they may override ours; their values are sensitive.
    pub(super) fn add_default_headers(&self, headers: &mut HeaderMap) -> Result<(), Error> {
        for (name, value) in &self.settings.config.default_headers {
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
        body: &mut Map<String, Value>,
    ) -> Result<Target, Error> {
        let region =
            self.env()
                .setting(region, &["AWS_REGION", "AWS_DEFAULT_REGION"], "AWS region")?;
        let credentials = match &self.settings.aws_credentials {
            Some(credentials) => credentials.clone(),
            None => crate::bedrock::AwsCredentials::from_lookup(|name| {
                self.env().get(name).map(str::to_owned)
            })?,
        };
        let base = self
            .settings
            .config
            .base_url
            .clone()
            .or_else(|| self.env().first(&["ANTHROPIC_BEDROCK_BASE_URL"]))
            .unwrap_or_else(|| crate::bedrock::default_base_url(&region));
        let url = crate::bedrock::invoke_url(&base, &self.settings.config.model);
        let betas = crate::request::merged_betas(&self.settings.config.betas, body);
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
        _body: &mut Map<String, Value>,
    ) -> Result<Target, Error> {
        Err(Error::config(
            ConfigReason::Unsupported,
            "Amazon Bedrock needs the crate's `bedrock` cargo feature",
        ))
    }

    /// The API key given in code, else `ANTHROPIC_API_KEY` as read when the model was built.
    pub(super) fn resolved_api_key(&self) -> Result<ApiKey, Error> {
        match &self.settings.api_key {
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
