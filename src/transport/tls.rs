//! TLS: which backend the HTTP client uses, and the roots it trusts besides the platform's.
//!
//! The backend follows the crate's features: `native-tls` if on, else rustls with aws-lc-rs
//! (`rustls-aws-lc`) if on, else rustls with ring (`rustls`, the default); with none of them
//! the client speaks plain HTTP only. The rustls configuration is built here with
//! [`rustls::ClientConfig::builder_with_provider`] and handed to reqwest: a library never
//! installs a process-wide default provider, so a program's own choice stays its own.
//! Certificates are checked by the platform's verifier (rustls-platform-verifier), as reqwest
//! does with its own default.

use reqwest::ClientBuilder;

use crate::error::ConfigError;
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
use crate::error::ConfigReason;
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
use crate::settings::RootCertificate;

/// The TLS settings of one HTTP client: the root certificates added to the platform's.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub(crate) roots: Vec<RootCertificate>,
}

/// `builder` with this crate's TLS backend and `settings`.
pub(crate) fn configure(
    builder: ClientBuilder,
    settings: &TlsSettings,
) -> Result<ClientBuilder, ConfigError> {
    #[cfg(feature = "native-tls")]
    {
        let mut builder = builder.tls_backend_native();
        for root in &settings.roots {
            let cert = reqwest::Certificate::from_der(root.der())
                .map_err(|err| invalid(format!("a root certificate cannot be used: {err}")))?;
            builder = builder.tls_certs_merge([cert]);
        }
        Ok(builder)
    }
    #[cfg(all(
        not(feature = "native-tls"),
        any(feature = "rustls", feature = "rustls-aws-lc")
    ))]
    {
        let config = rustls_config(std::sync::Arc::new(provider()), &settings.roots)?;
        Ok(builder.tls_backend_preconfigured(config))
    }
    #[cfg(not(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls")))]
    {
        let _ = settings;
        Ok(builder)
    }
}

/// The cryptography of the rustls backend: aws-lc-rs when its feature is on, else ring.
#[cfg(all(feature = "rustls-aws-lc", not(feature = "native-tls")))]
fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

/// The cryptography of the rustls backend: aws-lc-rs when its feature is on, else ring.
#[cfg(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
))]
fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// A client configuration as reqwest builds its own: the provider's safe protocol versions
/// (TLS 1.2 and 1.3), the platform's verifier with `roots` added, ALPN for HTTP/2 and
/// HTTP/1.1, no client certificate.
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc"))]
#[cfg_attr(all(feature = "native-tls", not(test)), allow(dead_code))]
pub(crate) fn rustls_config(
    provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
    roots: &[RootCertificate],
) -> Result<rustls::ClientConfig, ConfigError> {
    use rustls_pki_types::CertificateDer;
    use rustls_platform_verifier::Verifier;

    let verifier = if roots.is_empty() {
        Verifier::new(provider.clone())
    } else {
        #[cfg(any(all(unix, not(target_os = "android")), target_os = "windows"))]
        {
            let extra = roots
                .iter()
                .map(|root| CertificateDer::from(root.der().to_vec()));
            Verifier::new_with_extra_roots(extra, provider.clone())
        }
        #[cfg(not(any(all(unix, not(target_os = "android")), target_os = "windows")))]
        {
            return Err(invalid(
                "added root certificates are not supported on this platform".to_owned(),
            ));
        }
    }
    .map_err(|err| {
        invalid(format!(
            "the TLS certificate verifier cannot be built: {err}"
        ))
    })?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| invalid(format!("the TLS configuration cannot be built: {err}")))?
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
fn invalid(message: String) -> ConfigError {
    ConfigError::new(ConfigReason::InvalidSetting, message)
}

/// Real handshakes on 127.0.0.1 with each rustls provider this build has, whichever backend
/// the features chose (so `--all-features`, where native-tls wins, still checks both).
#[cfg(all(test, any(feature = "rustls", feature = "rustls-aws-lc")))]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::crypto::CryptoProvider;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::rustls_config;
    use crate::error::TransportError;
    use crate::settings::RootCertificate;

    /// A CA, and a certificate for 127.0.0.1 that it issued.
    struct Pki {
        ca: RootCertificate,
        leaf: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
    }

    fn make_pki() -> Pki {
        static CAS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        let n = CAS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A name of its own: a verifier looks issuers up by name.
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, format!("test CA {n}"));
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        Pki {
            ca: RootCertificate::from_pem(ca.pem().as_bytes()).unwrap(),
            leaf: leaf.der().clone(),
            key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        }
    }

    /// An HTTPS server on 127.0.0.1 (rustls with ring) answering `200 ok` to each request,
    /// one per connection; its URL.
    async fn serve(pki: &Pki) -> String {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![pki.leaf.clone()], pki.key.clone_key())
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake here.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut request = Vec::new();
                    let mut buf = [0; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let reply =
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                    let _ = tls.write_all(reply).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        url
    }

    /// GET `url` through a client with this module's configuration for `provider`.
    async fn get(
        provider: CryptoProvider,
        roots: &[RootCertificate],
        url: &str,
    ) -> Result<String, reqwest::Error> {
        let config = rustls_config(Arc::new(provider), roots).unwrap();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        client.get(url).send().await?.text().await
    }

    async fn trusted_root_is_accepted(provider: CryptoProvider) {
        let pki = make_pki();
        let url = serve(&pki).await;
        let body = get(provider, std::slice::from_ref(&pki.ca), &url).await;
        assert_eq!(body.unwrap(), "ok");
        // The configuration was handed to reqwest: no process-wide default was installed.
        assert!(CryptoProvider::get_default().is_none());
    }

    async fn unknown_issuer_is_refused(provider: CryptoProvider) {
        let pki = make_pki();
        let url = serve(&pki).await;
        // Another CA than the one that issued the server's certificate.
        let other = make_pki();
        let err = get(provider, &[other.ca], &url).await.unwrap_err();
        let err = TransportError::new(err);
        assert!(err.is_connect(), "{err}");
        assert!(err.is_certificate(), "{err}");
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    }

    #[cfg(feature = "rustls")]
    #[tokio::test]
    async fn ring_completes_a_handshake_with_an_added_root() {
        trusted_root_is_accepted(rustls::crypto::ring::default_provider()).await;
    }

    #[cfg(feature = "rustls")]
    #[tokio::test]
    async fn ring_refuses_a_certificate_from_an_unknown_issuer() {
        unknown_issuer_is_refused(rustls::crypto::ring::default_provider()).await;
    }

    #[cfg(feature = "rustls-aws-lc")]
    #[tokio::test]
    async fn aws_lc_completes_a_handshake_with_an_added_root() {
        trusted_root_is_accepted(rustls::crypto::aws_lc_rs::default_provider()).await;
    }

    #[cfg(feature = "rustls-aws-lc")]
    #[tokio::test]
    async fn aws_lc_refuses_a_certificate_from_an_unknown_issuer() {
        unknown_issuer_is_refused(rustls::crypto::aws_lc_rs::default_provider()).await;
    }

    /// Without an added root, the server's private CA is unknown to the platform's roots.
    #[cfg(feature = "rustls")]
    #[tokio::test]
    async fn the_platform_roots_alone_refuse_a_private_ca() {
        let pki = make_pki();
        let url = serve(&pki).await;
        let err = get(rustls::crypto::ring::default_provider(), &[], &url)
            .await
            .unwrap_err();
        let err = TransportError::new(err);
        assert!(err.is_certificate(), "{err}");
    }
}
