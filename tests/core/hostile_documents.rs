//! Property tests of every parser of an answer from the network against arbitrary and mutated
//! documents: none panics, and no document whose root is not the expected one (an HTML page,
//! another call's answer, an error) parses as success. XML: ListBuckets, BucketInfo, the
//! encryption rule, the error document, ListObjects, the multipart documents. JSON: the KMS
//! answers, STS AssumeRole and GetCallerIdentity, the RPC error document.

use ossguard::core::kms::{DescribeKeyAnswer, ListAliasesPage, ListKeysPage};
use ossguard::core::rpc;
use ossguard::core::sse::SseRule;
use ossguard::core::sts::{AssumeRoleResponse, CallerIdentity};
use ossguard::core::xml::error::ErrorDoc;
use ossguard::core::xml::list_buckets::{BucketEntry, BucketList, ListAllMyBucketsResult};
use ossguard::core::xml::multipart::{AccessControlPolicy, parse_doc};
use ossguard::core::xml::{
    bucket_info, encryption_rule, error, expect_root, list_buckets, list_objects, to_document,
};
use proptest::prelude::*;

/// Whether a parser accepted a body.
type Accepts = fn(&str) -> bool;

/// Every XML parser, by the root it expects.
fn xml_parsers() -> Vec<(&'static str, Accepts)> {
    vec![
        ("ListAllMyBucketsResult", |b| {
            list_buckets::parse_page(b).is_ok()
        }),
        ("BucketInfo", |b| bucket_info::parse(b).is_ok()),
        ("ServerSideEncryptionRule", |b| {
            encryption_rule::parse_rule(b).is_ok()
        }),
        ("Error", |b| error::parse(b).is_ok()),
        ("ListBucketResult", |b| {
            list_objects::parse_page(b, true).is_ok()
        }),
        ("AccessControlPolicy", |b| {
            parse_doc::<AccessControlPolicy>(b, "AccessControlPolicy").is_ok()
        }),
    ]
}

/// A well-formed answer for each root, which its parser accepts.
fn valid_documents() -> Vec<(&'static str, String)> {
    let page = ListAllMyBucketsResult {
        buckets: BucketList {
            bucket: vec![BucketEntry {
                name: "logs".into(),
                location: "oss-cn-hangzhou".into(),
                extranet_endpoint: "oss-cn-hangzhou.aliyuncs.com".into(),
                ..Default::default()
            }],
        },
        ..Default::default()
    };
    vec![
        ("ListAllMyBucketsResult", to_document(&page)),
        (
            "BucketInfo",
            "<BucketInfo><Bucket><Name>b</Name><ServerSideEncryptionRule><SSEAlgorithm>None</SSEAlgorithm></ServerSideEncryptionRule></Bucket></BucketInfo>".into(),
        ),
        (
            "ServerSideEncryptionRule",
            encryption_rule::to_xml(&SseRule::Kms {
                key_id: Some("key-1".into()),
                sm4_data: true,
            }),
        ),
        (
            "Error",
            to_document(&ErrorDoc {
                code: "AccessDenied".into(),
                message: "m".into(),
                ..Default::default()
            }),
        ),
        (
            "ListBucketResult",
            "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>".into(),
        ),
        (
            "AccessControlPolicy",
            "<AccessControlPolicy><AccessControlList><Grant>private</Grant></AccessControlList></AccessControlPolicy>".into(),
        ),
    ]
}

/// One edit of a document: cut it short, overwrite a byte, or insert text, at a position.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Replace(usize, char),
    Insert(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        (
            any::<usize>(),
            "(<[A-Za-z/!?]{0,12}>?|&[a-z#0-9]{0,6};?|[^<&]{0,6})"
        )
            .prop_map(|(i, s)| Mutation::Insert(i, s)),
    ]
}

fn apply(doc: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = doc.chars().collect();
    for m in mutations {
        let at = |i: usize| {
            if chars.is_empty() {
                0
            } else {
                i % (chars.len() + 1)
            }
        };
        match m {
            Mutation::Truncate(i) => {
                let i = at(*i);
                chars.truncate(i);
            }
            Mutation::Replace(i, c) => {
                if !chars.is_empty() {
                    let i = i % chars.len();
                    chars[i] = *c;
                }
            }
            Mutation::Insert(i, s) => {
                let i = at(*i);
                chars.splice(i..i, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// A root element name that no parser expects.
fn foreign_root() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("html".to_owned()),
        Just("ListBucketResult".to_owned()),
        Just("Error".to_owned()),
        "[A-Za-z][A-Za-z0-9]{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Mutated answers never panic, and whatever a parser accepts still has its root.
    #[test]
    fn mutated_xml_never_panics_and_success_keeps_the_root(
        which in 0usize..6,
        edits in proptest::collection::vec(mutation(), 1..4),
    ) {
        let (root, doc) = valid_documents().swap_remove(which);
        let body = apply(&doc, &edits);
        for (expected, parses) in xml_parsers() {
            if parses(&body) {
                prop_assert!(expect_root(&body, expected).is_ok(), "{expected} accepted {body:?}");
                prop_assert!(expected == root || expect_root(&body, root).is_err());
            }
        }
    }

    /// A valid answer's content under another root is refused by every parser but the one
    /// expecting that root.
    #[test]
    fn another_root_never_parses(which in 0usize..6, root in foreign_root(), decl in any::<bool>()) {
        let (own, doc) = valid_documents().swap_remove(which);
        let inner_start = doc.find(&format!("<{own}")).and_then(|i| doc[i..].find('>').map(|j| i + j + 1));
        let inner_end = doc.rfind(&format!("</{own}>"));
        let inner = match (inner_start, inner_end) {
            (Some(a), Some(b)) if a <= b => &doc[a..b],
            _ => "",
        };
        let prefix = if decl { "<?xml version=\"1.0\"?>\n" } else { "" };
        let body = format!("{prefix}<{root}>{inner}</{root}>");
        for (expected, parses) in xml_parsers() {
            if expected != root {
                prop_assert!(!parses(&body), "{expected} accepted <{root}>: {body}");
            }
        }
    }

    /// Any text at all: no panic, and text that is not an element is never a document.
    #[test]
    fn arbitrary_text_never_panics(body in any::<String>()) {
        for (_, parses) in xml_parsers() {
            let accepted = parses(&body);
            prop_assert!(!accepted || body.contains('<'));
        }
        let _ = rpc::parse_error(&body);
        let _ = serde_json::from_str::<ListKeysPage>(&body);
        let _ = serde_json::from_str::<AssumeRoleResponse>(&body);
    }
}

/// A JSON value of a few plausible shapes.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[ -~]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[A-Z][A-Za-z]{0,10}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object whose keys never include `without`.
fn object_without(without: &'static str) -> impl Strategy<Value = serde_json::Value> {
    proptest::collection::btree_map(
        prop_oneof![
            Just("RequestId".to_owned()),
            Just("Code".to_owned()),
            Just("Message".to_owned()),
            Just("TotalCount".to_owned()),
            Just("PageNumber".to_owned()),
            "[A-Z][A-Za-z]{0,12}",
        ],
        json_value(),
        0..6,
    )
    .prop_map(move |mut m| {
        m.remove(without);
        serde_json::Value::Object(m.into_iter().collect())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A JSON answer without the call's own top-level member is not that call's answer: an
    /// error document or another call's answer never reads as "no keys" or as credentials.
    #[test]
    fn json_answers_need_their_own_member(
        keys in object_without("Keys"),
        aliases in object_without("Aliases"),
        metadata in object_without("KeyMetadata"),
        credentials in object_without("Credentials"),
        identity in object_without("AccountId"),
        error in object_without("Code"),
    ) {
        prop_assert!(serde_json::from_value::<ListKeysPage>(keys).is_err());
        prop_assert!(serde_json::from_value::<ListAliasesPage>(aliases).is_err());
        prop_assert!(serde_json::from_value::<DescribeKeyAnswer>(metadata).is_err());
        prop_assert!(serde_json::from_value::<AssumeRoleResponse>(credentials).is_err());
        prop_assert!(serde_json::from_value::<CallerIdentity>(identity).is_err());
        prop_assert!(rpc::parse_error(&error.to_string()).is_err());
    }

    /// Mutated JSON answers never panic.
    #[test]
    fn mutated_json_never_panics(edits in proptest::collection::vec(mutation(), 1..4)) {
        let answers = [
            r#"{"Keys":{"Key":[{"KeyId":"k","KeyArn":"acs:kms:cn-hangzhou:1:key/k"}]},"TotalCount":1,"PageNumber":1,"PageSize":10,"RequestId":"r"}"#,
            r#"{"Credentials":{"AccessKeyId":"STS.a","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"},"RequestId":"r"}"#,
            r#"{"Code":"Forbidden.NoPermission","Message":"m","RequestId":"r"}"#,
        ];
        for answer in answers {
            let body = apply(answer, &edits);
            let _ = serde_json::from_str::<ListKeysPage>(&body);
            let _ = serde_json::from_str::<DescribeKeyAnswer>(&body);
            let _ = serde_json::from_str::<ListAliasesPage>(&body);
            if let Ok(doc) = serde_json::from_str::<AssumeRoleResponse>(&body) {
                let _ = doc.credentials.into_expiring();
            }
            let _ = serde_json::from_str::<CallerIdentity>(&body);
            let _ = rpc::parse_error(&body);
        }
    }
}

#[test]
fn the_documented_answers_parse() {
    for (root, doc) in valid_documents() {
        let parsed = xml_parsers()
            .into_iter()
            .find(|(expected, _)| *expected == root)
            .map(|(_, parses)| parses(&doc));
        assert_eq!(parsed, Some(true), "{root}: {doc}");
    }
    let keys: ListKeysPage = serde_json::from_str(
        r#"{"Keys":{"Key":[]},"TotalCount":0,"PageNumber":1,"PageSize":10,"RequestId":"r"}"#,
    )
    .expect("an empty listing with its Keys member");
    assert!(keys.keys.key.is_empty());
}
