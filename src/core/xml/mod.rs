//! OSS's XML bodies (quick-xml with serde). Parsing is lenient about what OSS may add
//! (unknown elements, namespaces, the declaration) and strict about what ossguard needs:
//! malformed input is an [`XmlError`], never a panic.
pub mod bucket_info;
pub mod encryption_rule;
pub mod error;
pub mod list_buckets;
pub mod list_objects;
pub mod multipart;

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
}

/// Parses a document of type `T`.
pub fn parse<T: DeserializeOwned>(body: &str) -> Result<T, XmlError> {
    quick_xml::de::from_str(body).map_err(|e| XmlError::Malformed(e.to_string()))
}

/// Serialises `value` as a whole document with the XML declaration OSS sends.
pub fn to_document<T: Serialize>(value: &T) -> String {
    let body = quick_xml::se::to_string(value)
        .unwrap_or_else(|e| unreachable!("XML models always serialise: {e}"));
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}")
}

/// Checks that the document's root element is `name`: serde models accept any root, and a
/// page of the wrong call must not read as an empty listing.
pub fn expect_root(body: &str, name: &str) -> Result<(), XmlError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    loop {
        match reader.read_event() {
            Ok(Event::Start(tag) | Event::Empty(tag)) => {
                let found = tag.local_name();
                return if found.as_ref() == name.as_bytes() {
                    Ok(())
                } else {
                    Err(XmlError::Invalid(format!(
                        "root element {:?}, expected {name}",
                        String::from_utf8_lossy(found.as_ref())
                    )))
                };
            }
            Ok(Event::Eof) => return Err(XmlError::Missing("root element")),
            Ok(_) => {}
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
    }
}
