//! A root certificate the client trusts besides the platform's (a private CA, a TLS-inspecting
//! proxy, a test server).

use std::fmt;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::{ConfigError, ConfigReason};

/// A CA certificate to trust in addition to the platform's roots, for
/// [`ChatAnthropic::add_root_certificate`](crate::ChatAnthropic::add_root_certificate).
///
/// Certificates are still checked as usual (name, validity, chain); this only adds an
/// issuer. Which TLS backend checks them is set by the crate's features (README: "TLS").
///
/// ```
/// use chat_anthropic::error::ConfigReason;
/// use chat_anthropic::settings::RootCertificate;
/// // A PEM file holds one or more `-----BEGIN CERTIFICATE-----` blocks.
/// let err = RootCertificate::from_pem(b"not a certificate").unwrap_err();
/// assert_eq!(err.reason(), ConfigReason::InvalidSetting);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RootCertificate {
    der: CertificateDer<'static>,
}

impl RootCertificate {
    /// The first certificate of a PEM text (`-----BEGIN CERTIFICATE-----`), e.g. the
    /// contents of `ca.pem`. Refused (`InvalidSetting`) when it holds none.
    pub fn from_pem(pem: &[u8]) -> Result<Self, ConfigError> {
        CertificateDer::from_pem_slice(pem)
            .map(|der| Self { der })
            .map_err(|err| {
                ConfigError::new(
                    ConfigReason::InvalidSetting,
                    format!("no PEM certificate could be read: {err}"),
                )
            })
    }

    /// A certificate in DER (binary) form; it is parsed when the client is built, and a
    /// malformed one fails every request with `InvalidSetting`.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Self {
        Self {
            der: CertificateDer::from(der.into()),
        }
    }

    /// The certificate's DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

impl fmt::Debug for RootCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootCertificate({} DER bytes)", self.der.len())
    }
}
