//! Pagination, written once per listing kind (ListBuckets, ListObjectsV2): a stream of pages that follows `NextMarker` and
//! refuses a marker that does not move forward, so a broken or hostile answer can never make
//! a listing loop forever (or end early and look complete).

use futures::Stream;

use crate::core::model::Bucket;
use crate::core::ops::list_buckets::BucketPage;
use crate::core::ops::list_objects::ObjectPage;
use crate::core::ops::{self, Action};

use super::client::OssClient;
use super::error::OssError;

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
    futures::stream::unfold(Some(None::<String>), move |state| {
        let client = client.clone();
        let prefix = prefix.clone();
        async move {
            let marker = state?;
            let page = match client
                .list_buckets_page(
                    prefix.as_deref(),
                    marker.as_deref(),
                    ops::list_buckets::MAX_KEYS,
                )
                .await
            {
                Ok(page) => page,
                Err(e) => return Some((Err(e), None)),
            };
            let next_state = match &page.next_marker {
                None => None,
                Some(next) => {
                    let last = page.buckets.last().map(|b| b.name.as_str());
                    if !marker_advances(marker.as_deref(), next, last) {
                        let error = OssError::Response {
                            action: Action::ListBuckets,
                            detail: format!("NextMarker {next:?} does not move past the page"),
                        };
                        return Some((Err(error), None));
                    }
                    Some(Some(next.clone()))
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
