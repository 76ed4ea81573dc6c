//! Property tests: the parsers and the signing canonicalisation never panic on any input,
//! and what ossguard writes it reads back unchanged.

use ossguard::core::model::{Bucket, BucketName};
use ossguard::core::sign::{v1, v4};
use ossguard::core::sse::SseRule;
use ossguard::core::xml::list_buckets::{BucketEntry, BucketList, ListAllMyBucketsResult};
use ossguard::core::xml::{self, bucket_info, encryption_rule, error, list_buckets, to_document};
use ossguard::transport::Endpoint;
use proptest::prelude::*;

fn rule() -> impl Strategy<Value = SseRule> {
    // Key IDs with XML-special characters too: the serializer must escape them.
    let key = proptest::option::of("[!-~]([ -~]{0,40}[!-~])?");
    prop_oneof![
        Just(SseRule::Aes256),
        Just(SseRule::Sm4),
        (key, any::<bool>()).prop_map(|(key_id, sm4_data)| SseRule::Kms { key_id, sm4_data }),
    ]
}

fn bucket() -> impl Strategy<Value = Bucket> {
    (
        "[a-z0-9][a-z0-9-]{1,20}[a-z0-9]",
        "[a-z]{2}-[a-z]{3,9}(-[0-9])?",
        0u16..65535,
        "(Standard|IA|Archive|ColdArchive)",
    )
        .prop_map(|(name, region, port, class)| Bucket {
            name: BucketName::parse(&name).expect("strategy makes valid names"),
            location: format!("oss-{region}"),
            extranet_endpoint: format!("127.0.0.1:{port}"),
            intranet_endpoint: format!("127.0.0.1:{port}"),
            region,
            creation_date: "2025-01-15T08:30:00.000Z".into(),
            storage_class: class,
        })
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((any::<String>(), any::<String>()), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parsers_never_panic(body in any::<String>()) {
        let _ = encryption_rule::parse_rule(&body);
        let _ = list_buckets::parse_page(&body);
        let _ = bucket_info::parse(&body);
        let _ = error::parse(&body);
        let _ = v4::parse_authorization(&body);
        let _ = v1::parse_authorization(&body);
        let _ = Endpoint::parse(&body);
        let _ = v1::parse_http_date(&body);
        let _ = v4::parse_datetime(&body);
    }

    #[test]
    fn xml_like_input_never_panics(
        tags in proptest::collection::vec("(<|</)(ServerSideEncryptionRule|ApplyServerSideEncryptionByDefault|SSEAlgorithm|Bucket|Buckets|Name|Error|Code|IsTruncated|NextMarker|x)(/>|>)", 0..12),
        texts in proptest::collection::vec("[A-Za-z0-9&;<>\"' ]{0,8}", 0..12),
    ) {
        let body: String = tags.iter().zip(texts.iter().chain(std::iter::repeat(&String::new()))).map(|(t, x)| format!("{t}{x}")).collect();
        let _ = encryption_rule::parse_rule(&body);
        let _ = list_buckets::parse_page(&body);
        let _ = bucket_info::parse(&body);
        let _ = error::parse(&body);
    }

    #[test]
    fn rule_round_trips(rule in rule()) {
        let xml = encryption_rule::to_xml(&rule);
        prop_assert_eq!(encryption_rule::parse_rule(&xml), Ok(rule));
    }

    #[test]
    fn bucket_page_round_trips(buckets in proptest::collection::vec(bucket(), 0..20), marker in proptest::option::of("[a-z0-9-]{3,20}")) {
        let doc = ListAllMyBucketsResult {
            is_truncated: Some(marker.is_some()),
            next_marker: marker.clone(),
            buckets: BucketList { bucket: buckets.iter().map(BucketEntry::from_bucket).collect() },
            ..Default::default()
        };
        let page = list_buckets::parse_page(&to_document(&doc)).expect("own output parses");
        prop_assert_eq!(page.buckets, buckets);
        prop_assert_eq!(page.next_marker, marker);
    }

    #[test]
    fn error_documents_round_trip(code in "[A-Za-z]{1,30}", message in "[ -~]{0,80}", endpoint in proptest::option::of("[a-z0-9.:-]{1,40}")) {
        let doc = xml::error::ErrorDoc { code, message: message.trim().to_owned(), endpoint, ..Default::default() };
        prop_assert_eq!(error::parse(&to_document(&doc)), Ok(doc));
    }

    #[test]
    fn canonical_query_ignores_input_order(mut query in pairs()) {
        let sorted_first = v4::canonical_query(&query);
        query.reverse();
        prop_assert_eq!(v4::canonical_query(&query), sorted_first.clone());
        // Only unreserved characters, '%', '=' and '&' survive encoding.
        prop_assert!(sorted_first.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)));
    }

    #[test]
    fn signing_is_total_and_deterministic(
        method in "(GET|PUT|DELETE|HEAD|POST)",
        bucket in proptest::option::of("[a-z0-9-]{3,20}"),
        key in proptest::option::of(any::<String>()),
        query in pairs(),
        headers in pairs(),
        secret in any::<String>(),
        region in "[a-z0-9-]{1,20}",
    ) {
        let parts = v4::SignedParts {
            method: &method,
            bucket: bucket.as_deref(),
            key: key.as_deref(),
            query: &query,
            headers: &headers,
            additional_headers: &[],
        };
        let canonical = v4::canonical_request(&parts);
        let to_sign = v4::string_to_sign("20250115T083000Z", &v4::scope("20250115", &region), &canonical);
        let signature = v4::signature(&secret, "20250115", &region, &to_sign);
        prop_assert_eq!(signature.len(), 64);
        prop_assert_eq!(v4::signature(&secret, "20250115", &region, &to_sign), signature);
        let v1_string = v1::string_to_sign(&method, &headers, bucket.as_deref(), key.as_deref(), &query);
        let expected_start = format!("{method}\n");
        prop_assert!(v1_string.starts_with(&expected_start));
        prop_assert!(!v1::signature(&secret, &v1_string).is_empty());
    }
}
