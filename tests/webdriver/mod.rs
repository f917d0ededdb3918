//! Just enough of the W3C WebDriver protocol to drive headless Chromium from a test:
//! chromedriver started on a free loopback port, one session, elements by CSS selector,
//! typing, clicking, scripts and screenshots.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

/// Names chromedriver goes by on `PATH`.
const DRIVER_NAMES: &[&str] = &["chromedriver"];
/// Names Chromium (or Chrome, which chromedriver drives the same way) goes by on `PATH`.
const BROWSER_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];
/// The key WebDriver names element references with.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The first executable file named one of `names` in a directory of `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

/// chromedriver on `PATH`.
fn chromedriver() -> Option<PathBuf> {
    on_path(DRIVER_NAMES)
}

/// Chromium (or Chrome) on `PATH`.
fn chromium() -> Option<PathBuf> {
    on_path(BROWSER_NAMES)
}

/// Fails `test`, saying how to install them, when chromedriver or Chromium is not on `PATH`.
pub fn require_browser(test: &str) {
    assert!(
        chromedriver().is_some() && chromium().is_some(),
        "{test}: chromedriver ({}) or Chromium ({}) is not on PATH; install them \
         (Debian: apt-get install -y chromium chromium-driver) or leave out --include-ignored",
        DRIVER_NAMES.join(", "),
        BROWSER_NAMES.join(", ")
    );
}

/// A running chromedriver, killed with the browsers it started when dropped.
pub struct Driver {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits until it is ready.
    pub async fn start() -> Driver {
        let port = free_port();
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(chromedriver().expect("chromedriver on PATH"))
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own process group, so the browsers it starts go down with it.
                .process_group(0)
                .spawn()
                .expect("chromedriver starts")
        };
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        for _ in 0..200 {
            if let Ok(response) = driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .await
            {
                let status: Value = response.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    return driver;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver did not become ready on port {port}");
    }

    /// A new headless Chromium session with a fresh profile in `profile_dir`.
    pub async fn session(&self, profile_dir: &Path, width: u32, height: u32) -> Session {
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile_dir.display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium().expect("Chromium on PATH"), "args": args},
        }}});
        let created = call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}/session", self.url),
            Some(capabilities),
        )
        .await;
        let id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {created}"))
            .to_owned();
        Session {
            url: format!("{}/session/{id}", self.url),
            http: self.http.clone(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// One browser session.
pub struct Session {
    url: String,
    http: reqwest::Client,
}

/// An element reference.
pub struct Element(String);

impl Session {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        call(&self.http, method, &format!("{}{path}", self.url), body).await
    }

    pub async fn goto(&self, url: &str) {
        self.send(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .send(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        Element(
            found[ELEMENT_KEY]
                .as_str()
                .unwrap_or_else(|| panic!("no element {css}: {found}"))
                .to_owned(),
        )
    }

    pub async fn type_into(&self, element: &Element, text: &str) {
        let path = format!("/element/{}/value", element.0);
        self.send(reqwest::Method::POST, &path, Some(json!({"text": text})))
            .await;
    }

    pub async fn click(&self, element: &Element) {
        let path = format!("/element/{}/click", element.0);
        self.send(reqwest::Method::POST, &path, Some(json!({})))
            .await;
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its result.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.send(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Polls `script` until it returns something truthy; fails after `timeout`.
    pub async fn wait_for(&self, what: &str, script: &str, timeout: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let value = self.execute(script, json!([])).await;
            if !matches!(value, Value::Null | Value::Bool(false)) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Saves a PNG of the viewport to `path`.
    pub async fn screenshot(&self, path: &Path) -> PathBuf {
        let encoded = self.send(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("a base64 screenshot"))
            .expect("valid base64");
        std::fs::write(path, png).expect("screenshot written");
        path.to_owned()
    }

    /// Ends the session, closing the browser.
    pub async fn quit(self) {
        call(&self.http, reqwest::Method::DELETE, &self.url, None).await;
    }
}

/// One WebDriver command; returns its `value`, and fails the test on a WebDriver error.
async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Value {
    let request = http.request(method, url).timeout(Duration::from_secs(30));
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    let response = request.send().await.expect("chromedriver answers");
    let status = response.status();
    let mut answer: Value = response.json().await.expect("a JSON answer");
    assert!(status.is_success(), "WebDriver {url}: {status} {answer}");
    answer["value"].take()
}

/// A loopback port nobody listens on (released right away for chromedriver to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}
