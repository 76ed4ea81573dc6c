//! Pagination, written once per listing kind (ListBuckets, ListObjectsV2): a stream of pages
//! that follows the marker or token and refuses one that does not move forward (so it cannot
//! cycle), so a broken or hostile answer can never make a listing loop forever or end early
//! and look complete. ListBuckets, whose pages the callers keep, also stops with an error
//! after [`ListingLimits`], so memory stays bounded.

use futures::Stream;

use crate::core::model::Bucket;
use crate::core::ops::list_buckets::BucketPage;
use crate::core::ops::list_objects::ObjectPage;
use crate::core::ops::{self, Action};

use super::client::OssClient;
use super::error::OssError;

/// Where a listing gives up. The defaults are far above any real account: OSS lists at most
/// 1,000 buckets per page, and an account holds a few hundred buckets unless raised by quota
/// request; 100,000 buckets take about 40 MiB as rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingLimits {
    pub max_pages: usize,
    pub max_buckets: usize,
}

impl ListingLimits {
    pub const DEFAULT: Self = Self {
        max_pages: 1_000,
        max_buckets: 100_000,
    };
}

impl Default for ListingLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Whether `next` may follow `marker` for a page whose last bucket is `last`: names are
/// listed in order, so the next marker must be past both.
pub fn marker_advances(marker: Option<&str>, next: &str, last: Option<&str>) -> bool {
    marker.is_none_or(|m| next > m) && last.is_none_or(|l| next >= l)
}

/// Every page of the account's buckets, in order. The stream ends after the last page, or
/// after the first error (which is yielded).
pub fn bucket_pages(
    client: OssClient,
    prefix: Option<String>,
) -> impl Stream<Item = Result<BucketPage, OssError>> {
    let limits = client.config().listing_limits;
    let start = Cursor {
        marker: None,
        pages: 0,
        buckets: 0,
    };
    futures::stream::unfold(Some(start), move |state| {
        let client = client.clone();
        let prefix = prefix.clone();
        async move {
            let cursor = state?;
            let page = match client
                .list_buckets_page(
                    prefix.as_deref(),
                    cursor.marker.as_deref(),
                    ops::list_buckets::MAX_KEYS,
                )
                .await
            {
                Ok(page) => page,
                Err(e) => return Some((Err(e), None)),
            };
            let refuse = |detail: String| {
                let error = OssError::Response {
                    action: Action::ListBuckets,
                    detail,
                };
                Some((Err(error), None))
            };
            let pages = cursor.pages + 1;
            let buckets = cursor.buckets + page.buckets.len();
            if buckets > limits.max_buckets {
                return refuse(format!(
                    "the listing goes on past {} buckets; stopped there",
                    limits.max_buckets
                ));
            }
            let next_state = match &page.next_marker {
                None => None,
                Some(_) if pages >= limits.max_pages => {
                    return refuse(format!(
                        "the listing goes on past {} pages; stopped there",
                        limits.max_pages
                    ));
                }
                Some(next) => {
                    let last = page.buckets.last().map(|b| b.name.as_str());
                    if !marker_advances(cursor.marker.as_deref(), next, last) {
                        return refuse(format!("NextMarker {next:?} does not move past the page"));
                    }
                    Some(Cursor {
                        marker: Some(next.clone()),
                        pages,
                        buckets,
                    })
                }
            };
            Some((Ok(page), next_state))
        }
    })
}

/// Every ListObjectsV2 page under `prefix`, in key order. The continuation token is opaque,
/// so what must move forward is the listing: a page that does not start past the previous
/// page's last key, or a token repeated, ends the stream with an error.
pub fn object_pages(
    client: OssClient,
    bucket: Bucket,
    prefix: Option<String>,
) -> impl Stream<Item = Result<ObjectPage, OssError>> {
    let start = ListState {
        token: None,
        last_key: None,
    };
    futures::stream::unfold(Some(start), move |state| {
        let client = client.clone();
        let bucket = bucket.clone();
        let prefix = prefix.clone();
        async move {
            let state = state?;
            let page = match client
                .list_objects_page(&bucket, prefix.as_deref(), state.token.as_deref())
                .await
            {
                Ok(page) => page,
                Err(e) => return Some((Err(e), None)),
            };
            let first = page.objects.first().map(|o| o.key.as_str());
            let backwards = matches!((&state.last_key, first), (Some(last), Some(first)) if first <= last.as_str());
            let repeated = page.next.is_some() && page.next == state.token;
            if backwards || repeated {
                let error = OssError::Response {
                    action: Action::ListObjects,
                    detail: "the listing does not move forward".into(),
                };
                return Some((Err(error), None));
            }
            let next = page.next.clone().map(|token| ListState {
                token: Some(token),
                last_key: page
                    .objects
                    .last()
                    .map(|o| o.key.clone())
                    .or(state.last_key),
            });
            Some((Ok(page), next))
        }
    })
}

struct ListState {
    token: Option<String>,
    last_key: Option<String>,
}

/// Where a listing stands between pages.
struct Cursor {
    marker: Option<String>,
    pages: usize,
    buckets: usize,
}

#[cfg(test)]
mod tests {
    use super::marker_advances;

    #[test]
    fn markers_must_move_forward() {
        assert!(marker_advances(None, "b", Some("b")));
        assert!(marker_advances(Some("a"), "c", Some("c")));
        assert!(!marker_advances(Some("c"), "c", Some("c")), "same marker");
        assert!(
            !marker_advances(Some("c"), "b", None),
            "backwards (A -> B -> A cycles)"
        );
        assert!(
            !marker_advances(Some("a"), "b", Some("z")),
            "before the page's last bucket"
        );
    }
}
