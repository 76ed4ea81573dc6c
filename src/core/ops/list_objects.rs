//! ListObjectsV2 (`GET /?list-type=2`): one page of a bucket's objects. ossguard always asks
//! for URL-encoded keys, so any key (control characters included) survives the XML.

use crate::core::request::{Method, OssRequest};

/// The largest page OSS serves.
pub const MAX_KEYS: u32 = 1000;

pub fn request_v2(
    bucket: &str,
    prefix: Option<&str>,
    continuation_token: Option<&str>,
    max_keys: u32,
) -> OssRequest {
    let mut req = OssRequest::new(Method::Get, Some(bucket))
        .with_query("list-type", "2")
        .with_query("encoding-type", "url")
        .with_query("max-keys", &max_keys.to_string());
    if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
        req = req.with_query("prefix", prefix);
    }
    if let Some(token) = continuation_token.filter(|t| !t.is_empty()) {
        req = req.with_query("continuation-token", token);
    }
    req
}

pub use crate::core::xml::list_objects::{ListedObject, ObjectPage, parse_page};

/// Parses a ListObjectsV2 page.
pub fn parse(body: &str) -> Result<ObjectPage, crate::core::xml::XmlError> {
    parse_page(body, true)
}

#[cfg(test)]
mod tests {
    use super::request_v2;

    #[test]
    fn asks_for_url_encoded_pages_of_a_thousand() {
        let req = request_v2("b-1", Some("logs/"), Some("tok"), super::MAX_KEYS);
        let query: Vec<(&str, &str)> = req
            .query
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            query,
            [
                ("list-type", "2"),
                ("encoding-type", "url"),
                ("max-keys", "1000"),
                ("prefix", "logs/"),
                ("continuation-token", "tok")
            ]
        );
        assert_eq!(request_v2("b-1", Some(""), None, 5).query.len(), 3);
    }
}
