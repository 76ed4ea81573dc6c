//! Encoding rules shared by both signature versions and by the dev server.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 3986 unreserved characters stay, everything else is `%XX` in upper case.
const ENCODE_ALL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// As [`ENCODE_ALL`] but keeps `/`, for paths.
const ENCODE_PATH: &AsciiSet = &ENCODE_ALL.remove(b'/');

/// Encodes a query name or value (`/` becomes `%2F`).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, ENCODE_ALL).to_string()
}

/// Encodes a path, keeping `/`.
pub fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, ENCODE_PATH).to_string()
}

/// The resource path OSS signs: `/`, `/<bucket>/` or `/<bucket>/<key>`, unencoded. It does
/// not depend on whether the request used virtual-hosted or path-style addressing.
pub fn resource_path(bucket: Option<&str>, key: Option<&str>) -> String {
    match (bucket, key) {
        (None, _) => "/".to_owned(),
        (Some(bucket), None) => format!("/{bucket}/"),
        (Some(bucket), Some(key)) => format!("/{bucket}/{key}"),
    }
}

/// Whether a header takes part in the canonical header block by default.
pub fn is_signed_by_default(lower_name: &str) -> bool {
    lower_name.starts_with("x-oss-") || lower_name == "content-type" || lower_name == "content-md5"
}

#[cfg(test)]
mod tests {
    use super::{encode_component, encode_path, resource_path};

    #[test]
    fn encoding_matches_oss() {
        assert_eq!(encode_component("+a b/c~"), "%2Ba%20b%2Fc~");
        assert_eq!(
            encode_path("/bucket/1234+-/123/1.txt"),
            "/bucket/1234%2B-/123/1.txt"
        );
        assert_eq!(encode_component("中"), "%E4%B8%AD");
    }

    #[test]
    fn resource_path_levels() {
        assert_eq!(resource_path(None, Some("ignored")), "/");
        assert_eq!(resource_path(Some("b"), None), "/b/");
        assert_eq!(resource_path(Some("b"), Some("k/x")), "/b/k/x");
    }
}
