//! ListBuckets pagination, written once: a stream of pages that follows `NextMarker` and
//! refuses a marker that does not move forward, so a broken or hostile answer can never make
//! a listing loop forever (or end early and look complete).

use futures::Stream;

use crate::core::ops::list_buckets::BucketPage;
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
