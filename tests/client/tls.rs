//! The client over HTTPS on 127.0.0.1: a TLS server (rustls, certificates made per test with
//! rcgen) in front of the mock, reached through the public API with whichever backend the
//! features chose (rustls with ring by default, aws-lc-rs with `rustls-aws-lc`, OpenSSL with
//! `native-tls`). Each provider's own handshake is checked in `src/transport/tls.rs`.

use std::sync::Arc;
use std::time::Duration;

use chat_anthropic::error::ConfigReason;
use chat_anthropic::settings::RootCertificate;
use chat_anthropic::{ChatAnthropic, Error};
use chat_anthropic_mock::{MockReply, MockServer};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::PrivateKeyDer;

/// Fails the test if `future` takes longer than 30 s.
async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), future)
        .await
        .expect("no result within 30 s")
}

/// A CA's certificate (PEM), and a TLS server for 127.0.0.1 with a certificate it issued,
/// forwarding the decrypted bytes to `upstream` (the mock's address); the server's URL.
async fn tls_in_front_of(upstream: String, ca_name: &str) -> (String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, ca_name);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake here.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (ca.pem(), url)
}

/// The mock's `host:port`.
fn address(server: &MockServer) -> String {
    server
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

#[tokio::test]
async fn a_reply_over_https_from_a_server_whose_ca_was_added() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("Bonjour"));
    let (ca, url) = tls_in_front_of(address(&server), "test CA one").await;
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(url)
        .api_key("test-key")
        .add_root_certificate(RootCertificate::from_pem(ca.as_bytes()).unwrap());
    let reply = within(llm.invoke("Hello")).await.unwrap();
    assert_eq!(reply.text(), "Bonjour");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused_before_any_request() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("never sent"));
    let (_, url) = tls_in_front_of(address(&server), "test CA two").await;
    // Another CA is trusted, not the one that issued the server's certificate.
    let (other_ca, _) = tls_in_front_of(address(&server), "test CA three").await;
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(url)
        .api_key("test-key")
        .max_retries(0)
        .add_root_certificate(RootCertificate::from_pem(other_ca.as_bytes()).unwrap());
    let err = within(llm.invoke("Hello")).await.unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("not a transport error: {err:?}");
    };
    assert!(transport.is_connect(), "{err}");
    // The rustls backends say why in a type, and a refused certificate is not retried;
    // native-tls says why only in its text.
    if cfg!(not(feature = "native-tls")) {
        assert!(transport.is_certificate(), "{err}");
        assert!(!err.is_retryable(), "{err}");
    }
    assert!(
        server.requests().is_empty(),
        "the key never left the client"
    );
}

#[tokio::test]
async fn a_root_certificate_that_is_not_one_fails_every_request_as_a_setting() {
    assert_eq!(
        RootCertificate::from_pem(b"-----BEGIN NOTHING-----")
            .unwrap_err()
            .reason(),
        ConfigReason::InvalidSetting
    );
    let server = MockServer::start().await;
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .add_root_certificate(RootCertificate::from_der(b"not DER".to_vec()));
    let err = within(llm.invoke("Hello")).await.unwrap_err();
    assert_eq!(
        err.config_reason(),
        Some(ConfigReason::InvalidSetting),
        "{err}"
    );
    assert!(server.requests().is_empty());
}
