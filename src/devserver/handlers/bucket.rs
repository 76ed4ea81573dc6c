//! ListBuckets, DescribeRegions, PutBucket, DeleteBucket, GetBucketInfo, GetBucketLocation.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::{empty, store_error, xml};
use crate::core::model::location_for_region;
use crate::core::xml::bucket_info::{AccessControlList, BucketInfo, BucketInfoDoc, FlatSseRule};
use crate::core::xml::list_buckets::{BucketEntry, BucketList, ListAllMyBucketsResult, Owner};
use crate::core::xml::regions::{RegionInfo, RegionInfoList};
use crate::core::xml::to_document;
use crate::devserver::errors::OssError;
use crate::devserver::routes::RequestCtx;
use crate::devserver::server::RegionState;
use crate::devserver::store::BucketRecord;

const DEFAULT_MAX_KEYS: usize = 100;
const STORAGE_CLASSES: &[&str] = &[
    "Standard",
    "IA",
    "Archive",
    "ColdArchive",
    "DeepColdArchive",
];

/// ListBuckets lists every region's buckets, whichever port it arrives on. The paging
/// elements appear only when the page is truncated, as on OSS.
pub(super) fn list(st: &RegionState, ctx: &RequestCtx) -> Result<Response, OssError> {
    let prefix = ctx.query("prefix").unwrap_or_default();
    let marker = ctx.query("marker").unwrap_or_default();
    let max_keys = match ctx.query("max-keys").map(str::trim) {
        None | Some("") => DEFAULT_MAX_KEYS,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                OssError::invalid_argument(
                    "0015-00000202",
                    "Argument max-keys must be an integer between 1 and 1000.",
                )
            })?,
    };
    let (page, truncated) = st.shared.store.list(prefix, marker, max_keys);
    let mut doc = ListAllMyBucketsResult {
        owner: Some(owner(st)),
        buckets: BucketList {
            bucket: page.iter().map(|b| entry(st, b)).collect(),
        },
        ..ListAllMyBucketsResult::default()
    };
    if truncated {
        doc.prefix = Some(prefix.to_owned());
        doc.marker = Some(marker.to_owned());
        doc.max_keys = u32::try_from(max_keys).ok();
        doc.is_truncated = Some(true);
        doc.next_marker = page.last().map(|b| b.name.clone());
    }
    Ok(xml(StatusCode::OK, to_document(&doc)))
}

/// DescribeRegions: every served region with its loopback port as all three endpoints, and
/// OSS's `oss-` region IDs.
pub(super) fn regions(st: &RegionState) -> Response {
    let doc = RegionInfoList {
        region_info: st
            .shared
            .regions()
            .map(|region| {
                let endpoint = st.shared.endpoint_of(region);
                RegionInfo {
                    region: format!("oss-{region}"),
                    internet_endpoint: endpoint.clone(),
                    internal_endpoint: endpoint.clone(),
                    accelerate_endpoint: endpoint,
                }
            })
            .collect(),
    };
    xml(StatusCode::OK, to_document(&doc))
}

fn owner(st: &RegionState) -> Owner {
    let id = st.shared.owner_id().to_owned();
    Owner {
        display_name: id.clone(),
        id,
    }
}

fn entry(st: &RegionState, bucket: &BucketRecord) -> BucketEntry {
    let endpoint = st.shared.endpoint_of(&bucket.region);
    BucketEntry {
        creation_date: bucket.creation_date.clone(),
        extranet_endpoint: endpoint.clone(),
        intranet_endpoint: endpoint,
        location: location_for_region(&bucket.region),
        name: bucket.name.clone(),
        region: Some(bucket.region.clone()),
        storage_class: bucket.storage_class.clone(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CreateBucketConfiguration {
    #[serde(rename = "StorageClass", default)]
    storage_class: Option<String>,
}

impl crate::core::xml::Document for CreateBucketConfiguration {
    const ROOT: &'static str = "CreateBucketConfiguration";
}

/// PutBucket creates the bucket in the region of the port it arrived on.
pub(super) async fn create(st: &RegionState, ctx: &RequestCtx) -> Result<Response, OssError> {
    let name = ctx.bucket.clone().unwrap_or_default();
    let config = if ctx.body.iter().all(u8::is_ascii_whitespace) {
        CreateBucketConfiguration::default()
    } else {
        let text = std::str::from_utf8(&ctx.body).map_err(|_| OssError::malformed_xml())?;
        crate::core::xml::parse::<CreateBucketConfiguration>(text)
            .map_err(|_| OssError::malformed_xml())?
    };
    let storage_class = match config.storage_class.as_deref().map(str::trim) {
        None | Some("") => "Standard".to_owned(),
        Some(class) if STORAGE_CLASSES.contains(&class) => class.to_owned(),
        Some(_) => {
            return Err(OssError::invalid_argument(
                "0015-00000205",
                "The storage class you specified is not valid.",
            ));
        }
    };
    // Whole seconds with a literal .000Z: oss2 parses CreationDate with exactly that pattern.
    let created = ctx.now.format("%Y-%m-%dT%H:%M:%S.000Z").to_string();
    let mut record = BucketRecord::new(&name, &st.region, &created);
    record.storage_class = storage_class;
    st.shared
        .store
        .create_bucket(record)
        .await
        .map_err(|e| store_error(e, &name))?;
    let mut response = empty(StatusCode::OK);
    if let Ok(value) = HeaderValue::from_str(&format!("/{name}")) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

pub(super) async fn delete(st: &RegionState, bucket: &BucketRecord) -> Result<Response, OssError> {
    st.shared
        .store
        .delete_bucket(&bucket.name)
        .await
        .map_err(|e| store_error(e, &bucket.name))?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// GetBucketInfo, with the flat SSE block (`None` when there is no rule).
pub(super) fn info(st: &RegionState, bucket: &BucketRecord) -> Response {
    let endpoint = st.shared.endpoint_of(&bucket.region);
    let doc = BucketInfoDoc {
        bucket: BucketInfo {
            name: bucket.name.clone(),
            creation_date: bucket.creation_date.clone(),
            location: location_for_region(&bucket.region),
            extranet_endpoint: endpoint.clone(),
            intranet_endpoint: endpoint,
            storage_class: bucket.storage_class.clone(),
            data_redundancy_type: Some("LRS".to_owned()),
            versioning: bucket.versioning.clone(),
            resource_group_id: Some("rg-default-id".to_owned()),
            comment: Some(String::new()),
            owner: Some(owner(st)),
            access_control_list: Some(AccessControlList {
                grant: "private".to_owned(),
            }),
            server_side_encryption_rule: FlatSseRule::from_state_rule(bucket.rule.as_ref()),
        },
    };
    xml(StatusCode::OK, to_document(&doc))
}

pub(super) fn location(bucket: &BucketRecord) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>{}</LocationConstraint>",
        location_for_region(&bucket.region)
    );
    xml(StatusCode::OK, body)
}
