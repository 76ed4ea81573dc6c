//! OSS's XML bodies (quick-xml with serde). Parsing is lenient about what OSS may add
//! (unknown elements, namespaces, the declaration) and strict about what ossguard needs:
//! the root element must be the expected one (serde alone ignores it, so an HTML page or an
//! `<Error>` would parse as an empty document), and malformed input is an [`XmlError`],
//! never a panic.
pub mod bucket_info;
pub mod encryption_rule;
pub mod error;
pub mod list_buckets;
pub mod list_objects;
pub mod multipart;
pub mod regions;

use serde::{Serialize, de::DeserializeOwned};

/// The body could not be read as the expected document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("XML document is missing {0}")]
    Missing(&'static str),
    #[error("invalid value in XML: {0}")]
    Invalid(String),
    #[error("expected an XML document <{expected}>, got {found}")]
    WrongRoot {
        expected: String,
        /// What the body started with instead, shortened.
        found: String,
    },
}

/// A document type and the root element it must arrive under.
pub trait Document: DeserializeOwned {
    const ROOT: &'static str;
}

/// Parses a document of type `T`, after checking that its root element is `T::ROOT`.
pub fn parse<T: Document>(body: &str) -> Result<T, XmlError> {
    expect_root(body, T::ROOT)?;
    deserialize(body)
}

/// Deserialises without a root check: only after [`expect_root`].
fn deserialize<T: DeserializeOwned>(body: &str) -> Result<T, XmlError> {
    quick_xml::de::from_str(body).map_err(|e| XmlError::Malformed(e.to_string()))
}

/// The first element must be `<expected>`; before it only the declaration, comments,
/// processing instructions, a DOCTYPE and whitespace may come.
pub fn expect_root(body: &str, expected: &str) -> Result<(), XmlError> {
    use quick_xml::events::Event;
    let wrong = |found: String| {
        Err(XmlError::WrongRoot {
            expected: expected.to_owned(),
            found,
        })
    };
    let mut reader = quick_xml::Reader::from_str(body.trim_start_matches('\u{feff}'));
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                return if name == expected {
                    Ok(())
                } else {
                    wrong(format!("<{}>", shorten(&name)))
                };
            }
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {}
            Ok(Event::Text(text)) if text.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Event::Eof) => return wrong("an empty body".into()),
            Ok(_) => return wrong(format!("text {:?}", shorten(body.trim()))),
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
    }
}

/// At most 40 characters of something a server sent, for an error message.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    short
}

/// Serialises `value` as a whole document with the XML declaration OSS sends.
pub fn to_document<T: Serialize>(value: &T) -> String {
    let body = quick_xml::se::to_string(value)
        .unwrap_or_else(|e| unreachable!("XML models always serialise: {e}"));
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}")
}

#[cfg(test)]
mod tests {
    use super::{XmlError, list_buckets::ListAllMyBucketsResult, parse};

    #[test]
    fn only_the_expected_root_parses() {
        let refused = [
            "<html><body>Welcome to nginx</body></html>",
            "<!DOCTYPE html><html><head></head></html>",
            "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>",
            "<ListBucketResult><Name>b</Name></ListBucketResult>",
            "Welcome to nginx",
            "",
            "   ",
        ];
        for body in refused {
            let err = parse::<ListAllMyBucketsResult>(body).expect_err(body);
            assert!(matches!(err, XmlError::WrongRoot { .. }), "{body}: {err:?}");
        }
        let err = parse::<ListAllMyBucketsResult>("<html>x</html>").expect_err("html");
        assert_eq!(
            err.to_string(),
            "expected an XML document <ListAllMyBucketsResult>, got <html>"
        );
        let ok = "\u{feff}<?xml version=\"1.0\"?>\n<!-- c --><ListAllMyBucketsResult xmlns=\"x\"><Buckets/></ListAllMyBucketsResult>";
        assert!(parse::<ListAllMyBucketsResult>(ok).is_ok());
        let prefixed = "<a:ListAllMyBucketsResult xmlns:a=\"x\"></a:ListAllMyBucketsResult>";
        assert!(parse::<ListAllMyBucketsResult>(prefixed).is_ok());
    }
}
