//! Requests to the endpoints beside Messages (Message Batches, Models, Files): addressed by
//! the same [`route`](ChatAnthropic::route) as the model's own requests, sent with the same
//! transport, timeouts and retries.

use reqwest::{Method, Url};
use serde_json::Map;

use super::target::Route;
use super::{ChatAnthropic, DEFAULT_BASE_URL};
use crate::error::{Error, PlatformError, PlatformErrorKind};
use crate::transport::{self, SendPolicy};

/// One request to an endpoint of Anthropic's own API beside Messages, e.g.
/// `GET /v1/models/{id}`: addressed by [`ChatAnthropic::route`] like every request.
pub(crate) struct ApiCall<'a> {
    pub(crate) method: Method,
    /// Path segments after the base URL, each percent-encoded as needed.
    pub(crate) segments: &'a [&'a str],
    pub(crate) query: Vec<(&'static str, String)>,
    /// The beta the endpoint needs, merged with the model's own betas.
    pub(crate) beta: Option<&'static str>,
    /// Whether the body is JSON (sent with `content-type: application/json`).
    pub(crate) json_body: bool,
    /// An absolute URL the API handed out (a batch's `results_url`), in place of the
    /// segments; the caller checks it is on the API's origin.
    pub(crate) url: Option<&'a str>,
}

impl<'a> ApiCall<'a> {
    pub(crate) fn new(method: Method, segments: &'a [&'a str]) -> Self {
        Self {
            method,
            segments,
            query: Vec::new(),
            beta: None,
            json_body: false,
            url: None,
        }
    }

    #[cfg(feature = "files")]
    pub(crate) fn beta(mut self, beta: &'static str) -> Self {
        self.beta = Some(beta);
        self
    }

    pub(crate) fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    /// The body will be JSON.
    #[cfg(feature = "batches")]
    pub(crate) fn json(mut self) -> Self {
        self.json_body = true;
        self
    }

    /// Sent to `url`, an address the API gave, instead of the segments.
    #[cfg(feature = "batches")]
    pub(crate) fn at(mut self, url: &'a str) -> Self {
        self.url = Some(url);
        self
    }

    /// The path, for messages.
    pub(crate) fn path(&self) -> &[&str] {
        self.segments
    }

    /// The URL on `base`: the segments appended, the query added.
    pub(crate) fn url(&self, base: &str) -> Result<String, Error> {
        let mut url = match self.url {
            Some(url) => Url::parse(url).map_err(|e| invalid(format!("URL {url:?}: {e}")))?,
            None => {
                let mut url =
                    Url::parse(base).map_err(|e| invalid(format!("base URL {base:?}: {e}")))?;
                url.path_segments_mut()
                    .map_err(|()| invalid(format!("base URL {base:?} cannot take a path")))?
                    .pop_if_empty()
                    .extend(self.segments);
                url
            }
        };
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url.into())
    }
}

impl ChatAnthropic {
    /// A request builder for `call`, addressed by [`route`](Self::route) like every request.
    pub(crate) fn api_request(&self, call: &ApiCall<'_>) -> Result<reqwest::RequestBuilder, Error> {
        let routed = self.route(Route::Api(call), &mut Map::new())?;
        Ok(self
            .http()?
            .request(call.method.clone(), routed.url)
            .headers(routed.headers))
    }

    /// The base URL of Anthropic's API: given in code, else `ANTHROPIC_BASE_URL` (as read
    /// when the model was built), else the public address.
    pub(crate) fn anthropic_base_url(&self) -> String {
        self.settings
            .config
            .base_url
            .clone()
            .or_else(|| self.env().first(&["ANTHROPIC_BASE_URL"]))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
    }

    /// Sends what `build` makes, with the model's retries (`retry: false` for a body that
    /// can be sent only once) and its idle timeout.
    pub(crate) async fn api_send<F, Fut>(
        &self,
        retry: bool,
        build: F,
    ) -> Result<transport::Response, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<reqwest::RequestBuilder, Error>>,
    {
        // These endpoints have limits of their own: their headers do not feed the limiter.
        let policy = SendPolicy {
            max_retries: if retry {
                self.settings.config.max_retries
            } else {
                0
            },
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
        transport::json(response, self.settings.config.timeout).await
    }

    /// The idle timeout, for reading response bodies.
    #[cfg(feature = "files")]
    pub(crate) fn idle_timeout(&self) -> Option<std::time::Duration> {
        self.settings.config.timeout
    }
}

fn invalid(message: impl Into<String>) -> Error {
    PlatformError::new(PlatformErrorKind::InvalidSetting, message).into()
}
