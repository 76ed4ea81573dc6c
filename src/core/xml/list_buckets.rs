//! `ListAllMyBucketsResult`: one page of ListBuckets.

use serde::{Deserialize, Serialize};

use super::XmlError;
use crate::core::model::{Bucket, BucketName, region_from_location};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "ListAllMyBucketsResult")]
pub struct ListAllMyBucketsResult {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(rename = "Marker", default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    #[serde(rename = "MaxKeys", default, skip_serializing_if = "Option::is_none")]
    pub max_keys: Option<u32>,
    #[serde(
        rename = "IsTruncated",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub is_truncated: Option<bool>,
    #[serde(
        rename = "NextMarker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_marker: Option<String>,
    #[serde(rename = "Owner", default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(rename = "Buckets", default)]
    pub buckets: BucketList,
}

impl super::Document for ListAllMyBucketsResult {
    const ROOT: &'static str = "ListAllMyBucketsResult";
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Owner {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(rename = "DisplayName", default)]
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BucketList {
    #[serde(rename = "Bucket", default)]
    pub bucket: Vec<BucketEntry>,
}

/// One `<Bucket>` as OSS writes it. `Region` is missing in older answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BucketEntry {
    #[serde(rename = "CreationDate", default)]
    pub creation_date: String,
    #[serde(rename = "ExtranetEndpoint", default)]
    pub extranet_endpoint: String,
    #[serde(rename = "IntranetEndpoint", default)]
    pub intranet_endpoint: String,
    #[serde(rename = "Location", default)]
    pub location: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Region", default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(rename = "StorageClass", default)]
    pub storage_class: String,
}

impl BucketEntry {
    pub fn from_bucket(bucket: &Bucket) -> Self {
        Self {
            creation_date: bucket.creation_date.clone(),
            extranet_endpoint: bucket.extranet_endpoint.clone(),
            intranet_endpoint: bucket.intranet_endpoint.clone(),
            location: bucket.location.clone(),
            name: bucket.name.to_string(),
            region: Some(bucket.region.clone()),
            storage_class: bucket.storage_class.clone(),
        }
    }

    pub fn to_bucket(&self) -> Result<Bucket, XmlError> {
        let name = BucketName::parse(&self.name)
            .map_err(|_| XmlError::Invalid(format!("bucket name {:?}", self.name)))?;
        let region = match self.region.as_deref().map(str::trim) {
            Some(region) if !region.is_empty() => region.to_owned(),
            _ => region_from_location(&self.location).to_owned(),
        };
        if region.is_empty() {
            return Err(XmlError::Missing("Region or Location"));
        }
        Ok(Bucket {
            name,
            region,
            location: self.location.clone(),
            extranet_endpoint: self.extranet_endpoint.clone(),
            intranet_endpoint: self.intranet_endpoint.clone(),
            creation_date: self.creation_date.clone(),
            storage_class: self.storage_class.clone(),
        })
    }
}

/// A parsed page: its buckets, and the marker for the next page when truncated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketPage {
    pub buckets: Vec<Bucket>,
    pub next_marker: Option<String>,
}

pub fn parse_page(body: &str) -> Result<BucketPage, XmlError> {
    let doc: ListAllMyBucketsResult = super::parse(body)?;
    let buckets = doc
        .buckets
        .bucket
        .iter()
        .map(BucketEntry::to_bucket)
        .collect::<Result<Vec<_>, _>>()?;
    let next_marker = match (doc.is_truncated, doc.next_marker) {
        (Some(true), Some(marker)) if !marker.is_empty() => Some(marker),
        (Some(true), _) => return Err(XmlError::Missing("NextMarker")),
        _ => None,
    };
    Ok(BucketPage {
        buckets,
        next_marker,
    })
}

#[cfg(test)]
mod tests {
    use super::{BucketEntry, BucketList, ListAllMyBucketsResult, parse_page};
    use crate::core::xml::{XmlError, to_document};

    const DOC_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult>
  <Prefix>my</Prefix><Marker>mybucket</Marker><MaxKeys>10</MaxKeys>
  <IsTruncated>true</IsTruncated><NextMarker>mybucket10</NextMarker>
  <Owner><ID>51264</ID><DisplayName>51264</DisplayName></Owner>
  <Buckets>
    <Bucket>
      <CreationDate>2014-02-17T18:12:43.000Z</CreationDate>
      <ExtranetEndpoint>oss-cn-shanghai.aliyuncs.com</ExtranetEndpoint>
      <IntranetEndpoint>oss-cn-shanghai-internal.aliyuncs.com</IntranetEndpoint>
      <Location>oss-cn-shanghai</Location>
      <Name>app-base-oss</Name>
      <Region>cn-shanghai</Region>
      <StorageClass>Standard</StorageClass>
      <ResourceGroupId>rg-aek27tc********</ResourceGroupId>
      <Comment>unknown to the model</Comment>
    </Bucket>
    <Bucket>
      <CreationDate>2014-12-25T11:21:04.000Z</CreationDate>
      <Location>oss-cn-hangzhou</Location>
      <Name>mybucket01</Name>
      <StorageClass>IA</StorageClass>
    </Bucket>
  </Buckets>
</ListAllMyBucketsResult>"#;

    #[test]
    fn parses_documented_page() {
        let page = parse_page(DOC_EXAMPLE).expect("parses");
        assert_eq!(page.next_marker.as_deref(), Some("mybucket10"));
        assert_eq!(page.buckets.len(), 2);
        let first = &page.buckets[0];
        assert_eq!(first.name.as_str(), "app-base-oss");
        assert_eq!(first.region, "cn-shanghai");
        assert_eq!(first.extranet_endpoint, "oss-cn-shanghai.aliyuncs.com");
        // No <Region>: derived from <Location>.
        assert_eq!(page.buckets[1].region, "cn-hangzhou");
        assert_eq!(page.buckets[1].storage_class, "IA");
    }

    #[test]
    fn single_page_omits_paging_fields() {
        let body = "<ListAllMyBucketsResult><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><Buckets/></ListAllMyBucketsResult>";
        let page = parse_page(body).expect("parses");
        assert!(page.buckets.is_empty());
        assert_eq!(page.next_marker, None);
    }

    #[test]
    fn truncated_without_marker_is_an_error() {
        let body = "<ListAllMyBucketsResult><IsTruncated>true</IsTruncated><Buckets/></ListAllMyBucketsResult>";
        assert_eq!(parse_page(body), Err(XmlError::Missing("NextMarker")));
        assert!(parse_page("<ListAllMyBucketsResult><Buckets><Bucket>").is_err());
        let bad_name = "<ListAllMyBucketsResult><Buckets><Bucket><Name>../x</Name><Location>oss-cn-hangzhou</Location></Bucket></Buckets></ListAllMyBucketsResult>";
        assert!(matches!(parse_page(bad_name), Err(XmlError::Invalid(_))));
    }

    #[test]
    fn serialised_page_round_trips() {
        let page = parse_page(DOC_EXAMPLE).expect("parses");
        let doc = ListAllMyBucketsResult {
            is_truncated: Some(true),
            next_marker: Some("mybucket10".into()),
            buckets: BucketList {
                bucket: page.buckets.iter().map(BucketEntry::from_bucket).collect(),
            },
            ..Default::default()
        };
        assert_eq!(parse_page(&to_document(&doc)), Ok(page));
    }
}
