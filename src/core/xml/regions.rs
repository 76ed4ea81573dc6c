//! `RegionInfoList`: the answer of DescribeRegions (`GET /?regions`), every OSS region and
//! its endpoints (OSS API reference, "DescribeRegions").

use serde::{Deserialize, Serialize};

use super::XmlError;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "RegionInfoList")]
pub struct RegionInfoList {
    #[serde(rename = "RegionInfo", default)]
    pub region_info: Vec<RegionInfo>,
}

impl super::Document for RegionInfoList {
    const ROOT: &'static str = "RegionInfoList";
}

/// One region as OSS writes it: `Region` is OSS's own ID, e.g. `oss-cn-hangzhou`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RegionInfo {
    #[serde(rename = "Region", default)]
    pub region: String,
    #[serde(rename = "InternetEndpoint", default)]
    pub internet_endpoint: String,
    #[serde(rename = "InternalEndpoint", default)]
    pub internal_endpoint: String,
    #[serde(rename = "AccelerateEndpoint", default)]
    pub accelerate_endpoint: String,
}

/// A region with the region ID the rest of ossguard uses (`cn-hangzhou`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionEndpoint {
    pub region: String,
    /// The public endpoint host, e.g. `oss-cn-hangzhou.aliyuncs.com`.
    pub internet_endpoint: String,
}

/// The regions of a DescribeRegions answer; entries without a region or endpoint are skipped.
pub fn parse(body: &str) -> Result<Vec<RegionEndpoint>, XmlError> {
    let doc: RegionInfoList = super::parse(body)?;
    Ok(doc
        .region_info
        .into_iter()
        .filter_map(|info| {
            let id = info.region.trim();
            let region = id.strip_prefix("oss-").unwrap_or(id);
            let host = info.internet_endpoint.trim();
            (!region.is_empty() && !host.is_empty()).then(|| RegionEndpoint {
                region: region.to_owned(),
                internet_endpoint: host.to_owned(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{RegionEndpoint, RegionInfo, RegionInfoList, parse};

    #[test]
    fn reads_the_reference_example_and_round_trips() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<RegionInfoList>
  <RegionInfo>
     <Region>oss-cn-hangzhou</Region>
     <InternetEndpoint>oss-cn-hangzhou.aliyuncs.com</InternetEndpoint>
     <InternalEndpoint>oss-cn-hangzhou-internal.aliyuncs.com</InternalEndpoint>
     <AccelerateEndpoint>oss-accelerate.aliyuncs.com</AccelerateEndpoint>
  </RegionInfo>
  <RegionInfo>
     <Region>oss-cn-shanghai</Region>
     <InternetEndpoint>oss-cn-shanghai.aliyuncs.com</InternetEndpoint>
  </RegionInfo>
  <RegionInfo><Region></Region></RegionInfo>
</RegionInfoList>"#;
        let regions = parse(body).expect("parses");
        assert_eq!(
            regions,
            [
                RegionEndpoint {
                    region: "cn-hangzhou".into(),
                    internet_endpoint: "oss-cn-hangzhou.aliyuncs.com".into(),
                },
                RegionEndpoint {
                    region: "cn-shanghai".into(),
                    internet_endpoint: "oss-cn-shanghai.aliyuncs.com".into(),
                },
            ]
        );
        let doc = RegionInfoList {
            region_info: vec![RegionInfo {
                region: "oss-cn-beijing".into(),
                internet_endpoint: "127.0.0.1:9002".into(),
                ..RegionInfo::default()
            }],
        };
        let again = parse(&crate::core::xml::to_document(&doc)).expect("parses");
        assert_eq!(again[0].region, "cn-beijing");
        assert!(parse("<ListAllMyBucketsResult/>").is_err());
    }
}
