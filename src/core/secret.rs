//! One type for secret text (an AccessKey secret, an STS token), so that every value holding
//! one derives `Debug` instead of hand-writing a redacting one.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Secret text: zeroized on drop, `***` in `Debug`, deliberately no `Display`. Serialised as
/// the plain string (for the keyring entry), so take care where it is written.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(Zeroizing::new(text.into()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Reads as the `String` it holds; a form edits it in place (no copy left behind).
impl Deref for Secret {
    type Target = String;

    fn deref(&self) -> &String {
        &self.0
    }
}

impl DerefMut for Secret {
    fn deref_mut(&mut self) -> &mut String {
        &mut self.0
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_hides_it_and_serde_keeps_the_plain_string() {
        #[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
        struct Holder {
            secret: Secret,
            token: Option<Secret>,
        }
        let holder = Holder {
            secret: "s3cr3t-value".into(),
            token: Some("t0k3n-value".into()),
        };
        let shown = format!("{holder:?}");
        assert_eq!(shown, "Holder { secret: ***, token: Some(***) }");
        let json = serde_json::to_string(&holder).expect("json");
        assert_eq!(json, r#"{"secret":"s3cr3t-value","token":"t0k3n-value"}"#);
        assert_eq!(serde_json::from_str::<Holder>(&json).expect("back"), holder);
        let mut edited = Secret::default();
        edited.push_str(" typed ");
        assert_eq!(edited.trim(), "typed");
    }
}
