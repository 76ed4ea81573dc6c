//! An AccessKey pair, optionally with an STS token. Secrets never show in `Debug`.

use std::fmt;

use zeroize::Zeroizing;

/// Credentials for signing. The secret and token are zeroized on drop and redacted in
/// `Debug`; there is deliberately no `Display`.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    access_key_secret: Zeroizing<String>,
    security_token: Option<Zeroizing<String>>,
}

impl Credentials {
    pub fn new(access_key_id: &str, access_key_secret: &str) -> Self {
        Self {
            access_key_id: access_key_id.trim().to_owned(),
            access_key_secret: Zeroizing::new(access_key_secret.trim().to_owned()),
            security_token: None,
        }
    }

    /// Adds an STS token; an empty token means none.
    pub fn with_security_token(mut self, token: Option<&str>) -> Self {
        self.security_token = token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Zeroizing::new(t.to_owned()));
        self
    }

    pub fn secret(&self) -> &str {
        &self.access_key_secret
    }

    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref().map(String::as_str)
    }

    /// The key ID and the STS token travel in HTTP headers: a line break or another control
    /// character (a token pasted across lines) would make every request fail as a network
    /// error, so it is refused before anything is sent.
    pub fn check_header_safe(&self) -> Result<(), UnsendableCredentials> {
        let bad = |text: &str| !text.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if bad(&self.access_key_id) {
            return Err(UnsendableCredentials::NotHeaderSafe("AccessKey ID"));
        }
        if self.security_token().is_some_and(bad) {
            return Err(UnsendableCredentials::NotHeaderSafe("STS token"));
        }
        Ok(())
    }

    /// STS AccessKey IDs start with `STS.`.
    pub fn is_temporary(&self) -> bool {
        self.access_key_id.starts_with("STS.")
    }
}

/// Credentials that cannot be sent as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnsendableCredentials {
    #[error(
        "the {0} contains a line break, a control character or a non-ASCII character; copy it again in one piece"
    )]
    NotHeaderSafe(&'static str),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::Credentials;

    #[test]
    fn debug_never_shows_secrets() {
        let creds = Credentials::new(" ak-id ", "top-secret-value")
            .with_security_token(Some("token-value-xyz"));
        let shown = format!("{creds:?} {creds:#?}");
        assert!(shown.contains("ak-id"));
        assert!(!shown.contains("top-secret-value"));
        assert!(!shown.contains("token-value-xyz"));
        assert_eq!(creds.access_key_id, "ak-id");
        assert_eq!(creds.secret(), "top-secret-value");
    }

    #[test]
    fn a_token_with_a_line_break_is_refused() {
        let creds = Credentials::new("STS.id", "s").with_security_token(Some("CAIS\nabc"));
        let err = creds.check_header_safe().expect_err("refused");
        assert!(err.to_string().contains("STS token"), "{err}");
        assert!(
            Credentials::new("id\r\nX-Evil: 1", "s")
                .check_header_safe()
                .is_err()
        );
        let fine = Credentials::new("STS.id", "s").with_security_token(Some("CAIS+/=abc"));
        assert_eq!(fine.check_header_safe(), Ok(()));
    }

    #[test]
    fn empty_token_is_none() {
        let creds = Credentials::new("a", "b").with_security_token(Some(" "));
        assert_eq!(creds.security_token(), None);
        assert!(Credentials::new("STS.x", "b").is_temporary());
    }
}
