//! Requests to the endpoints beside Messages (Models, Files): the same key, headers,
//! transport, timeouts and retries as the model's own requests, on Anthropic's API only.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Response, Url};

use super::target::{header_value, secret_header_value};
use super::{ChatAnthropic, Platform, ANTHROPIC_VERSION, DEFAULT_BASE_URL};
use crate::error::{Error, PlatformError, PlatformErrorKind};
use crate::transport::{self, SendPolicy};

/// One request to a resource endpoint, e.g. `GET /v1/models/{id}`.
pub(crate) struct ApiCall<'a> {
    pub(crate) method: Method,
    /// Path segments after the base URL, each percent-encoded as needed.
    pub(crate) segments: &'a [&'a str],
    pub(crate) query: Vec<(&'static str, String)>,
    /// The beta the endpoint needs, merged with the model's own betas.
    pub(crate) beta: Option<&'static str>,
}

impl<'a> ApiCall<'a> {
    pub(crate) fn new(method: Method, segments: &'a [&'a str]) -> Self {
        Self {
            method,
            segments,
            query: Vec::new(),
            beta: None,
        }
    }

    pub(crate) fn beta(mut self, beta: &'static str) -> Self {
        self.beta = Some(beta);
        self
    }

    pub(crate) fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }
}

impl ChatAnthropic {
    /// A request builder for `call`: URL, key, version, betas and default headers. Only
    /// Anthropic's API serves these endpoints.
    pub(crate) fn api_request(&self, call: &ApiCall<'_>) -> Result<reqwest::RequestBuilder, Error> {
        if self.config.platform != Platform::Anthropic {
            return Err(PlatformError::new(
                PlatformErrorKind::Unsupported,
                format!(
                    "/{} is served by Anthropic's API only, not through {:?}",
                    call.segments.join("/"),
                    self.config.platform
                ),
            )
            .into());
        }
        let base = self.anthropic_base_url();
        let mut url = Url::parse(&base).map_err(|e| invalid(format!("base URL {base:?}: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| invalid(format!("base URL {base:?} cannot take a path")))?
            .pop_if_empty()
            .extend(call.segments);
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        Ok(self
            .http
            .request(call.method.clone(), url)
            .headers(self.api_headers(call.beta)?))
    }

    /// The base URL of Anthropic's API: given in code, else `ANTHROPIC_BASE_URL` (as read
    /// when the model was built), else the public address.
    pub(super) fn anthropic_base_url(&self) -> String {
        self.config
            .base_url
            .clone()
            .or_else(|| self.env().first(&["ANTHROPIC_BASE_URL"]))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
    }

    /// Key, version and betas, then the user's own headers: the same header code as the
    /// Messages requests.
    fn api_headers(&self, beta: Option<&str>) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-api-key",
            secret_header_value(self.resolved_api_key()?.expose())?,
        );
        headers.insert(
            "anthropic-version",
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        let mut betas: Vec<&str> = self.config.betas.iter().map(String::as_str).collect();
        betas.extend(beta.filter(|beta| !betas.contains(beta)));
        if !betas.is_empty() {
            headers.insert(
                "anthropic-beta",
                header_value("anthropic-beta", &betas.join(","))?,
            );
        }
        self.add_default_headers(&mut headers)?;
        Ok(headers)
    }

    /// Sends what `build` makes, with the model's retries (`retry: false` for a body that
    /// can be sent only once) and its idle timeout.
    pub(crate) async fn api_send<F, Fut>(&self, retry: bool, build: F) -> Result<Response, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<reqwest::RequestBuilder, Error>>,
    {
        // These endpoints have limits of their own: their headers do not feed the limiter.
        let policy = SendPolicy {
            max_retries: if retry { self.config.max_retries } else { 0 },
            limiter: None,
            ..self.policy()
        };
        transport::send_with(&policy, &self.anthropic_base_url(), &mut 0, build).await
    }

    /// Sends `call` (with retries) and reads its JSON answer.
    pub(crate) async fn api_json<T: serde::de::DeserializeOwned>(
        &self,
        call: ApiCall<'_>,
    ) -> Result<T, Error> {
        let response = self
            .api_send(true, || std::future::ready(self.api_request(&call)))
            .await?;
        transport::json(response, self.config.timeout).await
    }

    /// The idle timeout, for reading response bodies.
    pub(crate) fn idle_timeout(&self) -> Option<std::time::Duration> {
        self.config.timeout
    }
}

fn invalid(message: impl Into<String>) -> Error {
    PlatformError::new(PlatformErrorKind::InvalidSetting, message).into()
}
