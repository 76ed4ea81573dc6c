//! `ListBucketResult`: one page of ListObjectsV2 (or ListObjects v1). With
//! `encoding-type=url` OSS URL-encodes keys, prefixes and the start-after key, so they are
//! decoded here and nowhere else.

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};

use super::XmlError;
use crate::core::objects::facts::StorageClass;

pub const ROOT: &str = "ListBucketResult";

impl super::Document for ListBucketResult {
    const ROOT: &'static str = ROOT;
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "ListBucketResult")]
pub struct ListBucketResult {
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Prefix", default)]
    pub prefix: String,
    #[serde(rename = "Marker", default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    #[serde(rename = "MaxKeys", default)]
    pub max_keys: u32,
    #[serde(rename = "Delimiter", default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "IsTruncated", default)]
    pub is_truncated: bool,
    #[serde(
        rename = "NextMarker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_marker: Option<String>,
    #[serde(
        rename = "NextContinuationToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_continuation_token: Option<String>,
    #[serde(rename = "KeyCount", default, skip_serializing_if = "Option::is_none")]
    pub key_count: Option<u32>,
    #[serde(
        rename = "EncodingType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub encoding_type: Option<String>,
    #[serde(rename = "Contents", default)]
    pub contents: Vec<ObjectEntry>,
    #[serde(rename = "CommonPrefixes", default)]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One `<Contents>`. The listing carries no encryption: that needs HeadObject.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ObjectEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "LastModified", default)]
    pub last_modified: String,
    #[serde(rename = "ETag", default)]
    pub etag: String,
    #[serde(rename = "Type", default)]
    pub object_type: String,
    #[serde(rename = "Size", default)]
    pub size: u64,
    #[serde(rename = "StorageClass", default)]
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CommonPrefix {
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

/// An object as listed, key decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub storage_class: StorageClass,
}

/// A parsed page and where the next one starts (a V2 token, or a V1 marker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPage {
    pub objects: Vec<ListedObject>,
    pub next: Option<String>,
}

/// Parses a V2 (`v2 = true`: follows `NextContinuationToken`) or V1 (`NextMarker`) page.
pub fn parse_page(body: &str, v2: bool) -> Result<ObjectPage, XmlError> {
    let doc: ListBucketResult = super::parse(body)?;
    let url = doc
        .encoding_type
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("url"));
    let objects = doc
        .contents
        .into_iter()
        .map(|entry| {
            Ok(ListedObject {
                key: if url {
                    url_decode(&entry.key)?
                } else {
                    entry.key
                },
                size: entry.size,
                etag: entry.etag,
                storage_class: StorageClass::parse(&entry.storage_class),
            })
        })
        .collect::<Result<Vec<_>, XmlError>>()?;
    let next = if v2 {
        doc.next_continuation_token
    } else if url {
        doc.next_marker.as_deref().map(url_decode).transpose()?
    } else {
        doc.next_marker
    };
    let next = match (doc.is_truncated, next) {
        (true, Some(next)) if !next.is_empty() => Some(next),
        (true, _) if v2 => return Err(XmlError::Missing("NextContinuationToken")),
        (true, _) => return Err(XmlError::Missing("NextMarker")),
        (false, _) => None,
    };
    Ok(ObjectPage { objects, next })
}

/// Decodes one `encoding-type=url` value. OSS encodes a space as `%20`; a `+` stays literal.
pub fn url_decode(value: &str) -> Result<String, XmlError> {
    percent_decode_str(value)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| XmlError::Invalid(format!("URL-encoded key {value:?} is not UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::{ListBucketResult, ObjectEntry, parse_page};
    use crate::core::objects::facts::StorageClass;
    use crate::core::xml::{XmlError, to_document};

    const V2_PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>examplebucket</Name><Prefix>a/</Prefix><MaxKeys>1000</MaxKeys>
  <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
  <NextContinuationToken>CgJiYw--</NextContinuationToken><KeyCount>2</KeyCount>
  <Contents>
    <Key>a/b%20c%2B%E4%B8%AD.txt</Key><LastModified>2020-06-22T11:42:32.000Z</LastModified>
    <ETag>"5B3C1A2E053D763E1B002CC607C5A0FE1****"</ETag><Type>Normal</Type><Size>344606</Size>
    <StorageClass>IA</StorageClass><Owner><ID>0022012</ID><DisplayName>0022012</DisplayName></Owner>
    <RestoreInfo>ongoing-request="true"</RestoreInfo>
  </Contents>
  <Contents><Key>a/d</Key><Size>0</Size><StorageClass>Archive</StorageClass></Contents>
</ListBucketResult>"#;

    #[test]
    fn decodes_url_encoded_keys_and_follows_the_token() {
        let page = parse_page(V2_PAGE, true).expect("parses");
        assert_eq!(page.next.as_deref(), Some("CgJiYw--"));
        assert_eq!(page.objects.len(), 2);
        assert_eq!(page.objects[0].key, "a/b c+中.txt");
        assert_eq!(page.objects[0].size, 344_606);
        assert_eq!(
            page.objects[0].storage_class,
            StorageClass::InfrequentAccess
        );
        assert_eq!(page.objects[1].storage_class, StorageClass::Archive);
    }

    #[test]
    fn plain_keys_stay_as_they_are() {
        let body = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a%20b</Key><Size>1</Size></Contents></ListBucketResult>";
        let page = parse_page(body, true).expect("parses");
        assert_eq!(page.objects[0].key, "a%20b");
        assert_eq!(page.next, None);
    }

    #[test]
    fn refuses_other_documents_and_broken_pages() {
        let other = "<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>";
        assert!(matches!(
            parse_page(other, true),
            Err(XmlError::WrongRoot { .. })
        ));
        let no_token = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
        assert_eq!(
            parse_page(no_token, true),
            Err(XmlError::Missing("NextContinuationToken"))
        );
        let bad_utf8 = "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%FF</Key></Contents></ListBucketResult>";
        assert!(parse_page(bad_utf8, true).is_err());
        assert!(parse_page("<ListBucketResult><Contents>", true).is_err());
    }

    #[test]
    fn v1_pages_follow_the_decoded_marker() {
        let doc = ListBucketResult {
            is_truncated: true,
            encoding_type: Some("url".into()),
            next_marker: Some("x%2Fy".into()),
            contents: vec![ObjectEntry {
                key: "x%2Fy".into(),
                size: 3,
                ..Default::default()
            }],
            ..Default::default()
        };
        let page = parse_page(&to_document(&doc), false).expect("parses");
        assert_eq!(page.next.as_deref(), Some("x/y"));
        assert_eq!(page.objects[0].key, "x/y");
    }
}
