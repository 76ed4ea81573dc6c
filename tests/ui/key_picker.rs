//! The change form's key picker against the demo: the keys of the bucket's region, usable
//! ones pickable, the others greyed with their reason; a picked key fills the form and the
//! change verifies; another bucket's region brings its own keys.

use crate::ui_support::{UiTest, encryption, name, select};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ossguard::app::event::ApplyOutcome;
use ossguard::core::sse::{EncryptionState, SseRule};
use ossguard::devserver::demo_keys::demo_key_id;

const KEY_FIELD: &str = "KMS key ID (blank: the default key)";
const BUCKET: &str = "marketing-uploads-hz";
const KINDS: [&str; 8] = [
    "aes", "sm4", "disabled", "pending", "byok", "import", "hsm", "sign",
];

fn key_field(test: &UiTest) -> String {
    test.harness
        .get_by_label(KEY_FIELD)
        .value()
        .unwrap_or_default()
}

/// The region of a demo bucket (the embedded demo's region order is its own).
fn region_of(test: &UiTest, bucket: &str) -> String {
    test.harness
        .state()
        .state()
        .row(&name(bucket))
        .map(|r| r.bucket.region.clone())
        .expect("demo bucket")
}

/// Selects [`BUCKET`] and waits for the picker to list its region's keys; returns the region
/// and its Enabled AES key. A bucket without a rule opens the form on KMS, so the picker
/// shows at once.
fn open_picker(test: &mut UiTest) -> (String, String) {
    select(test, BUCKET);
    let region = region_of(test, BUCKET);
    let aes = demo_key_id(&region, "aes");
    test.step_until_label_contains(&aes);
    (region, aes)
}

fn listed(test: &UiTest, key: &str) -> bool {
    test.harness.query_by_label_contains(key).is_some()
}

#[test]
fn the_picker_lists_the_regions_keys_and_picks_only_usable_ones() {
    let mut test = UiTest::start_demo(|_| {});
    let (region, aes) = open_picker(&mut test);
    for kind in KINDS {
        let id = demo_key_id(&region, kind);
        assert!(listed(&test, &id), "{kind} key listed");
    }
    let elsewhere = if region == "cn-shanghai" {
        "cn-beijing"
    } else {
        "cn-shanghai"
    };
    assert!(
        !listed(&test, &demo_key_id(elsewhere, "aes")),
        "only the bucket's region"
    );
    // State, spec, origin and protection level are shown with each key.
    assert!(
        test.harness
            .query_by_label_contains("Enabled · Aliyun_SM4 · Aliyun_KMS · SOFTWARE")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label_contains("Enabled · Aliyun_AES_256 · EXTERNAL · SOFTWARE")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label_contains("Enabled · Aliyun_AES_256 · Aliyun_KMS · HSM")
            .is_some()
    );

    // Unusable keys are greyed, with the reason, and cannot be picked.
    assert!(
        test.harness
            .query_by_label_contains("Not usable: The key is disabled")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label_contains("Not usable: The key is pending deletion on ")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label_contains("Not usable: The key is asymmetric")
            .is_some()
    );
    for kind in ["disabled", "pending"] {
        let id = demo_key_id(&region, kind);
        let entry = test.harness.get_by_label_contains(&id);
        assert!(entry.accesskit_node().is_disabled(), "{kind} key greyed");
        entry.click();
        test.settle();
        assert_eq!(key_field(&test), "", "{kind} key not picked");
    }

    // The search narrows the list by ID or alias.
    test.type_into("Search keys", "hsm");
    test.settle();
    assert!(listed(&test, &demo_key_id(&region, "hsm")));
    assert!(!listed(&test, &aes));
    test.replace_text("Search keys", "aes");
    test.settle();

    // Picking a usable key fills the form; the change is written and verified.
    let entry = test.harness.get_by_label_contains(&aes);
    assert!(!entry.accesskit_node().is_disabled());
    entry.click();
    test.settle();
    assert_eq!(key_field(&test), aes);
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 1 bucket");
    test.harness.get_by_label("Confirm").click();
    test.step_until("the change verified", |h| {
        h.state()
            .state()
            .row(&name(BUCKET))
            .and_then(|r| r.verification.clone())
            == Some(ApplyOutcome::Verified)
    });
    assert_eq!(
        encryption(&test, BUCKET),
        Some(EncryptionState::Configured(SseRule::Kms {
            key_id: Some(aes.clone()),
            sm4_data: false
        }))
    );

    // Another bucket, in another region: the form starts again from its rule and the
    // picker lists that region's keys.
    let other = &format!("with-cmk-sm4-{elsewhere}");
    test.type_into("Filter", other);
    test.settle();
    select(&mut test, other);
    test.step_until_label_contains(&demo_key_id(elsewhere, "aes"));
    assert_eq!(key_field(&test), demo_key_id(elsewhere, "sm4"));
    assert!(!listed(&test, &aes));
}

#[test]
fn a_typed_alias_is_refused_and_its_key_offered() {
    let mut test = UiTest::start_demo(|_| {});
    let (region, aes) = open_picker(&mut test);
    let alias = test
        .harness
        .state()
        .state()
        .region_keys
        .get(&region)
        .and_then(|keys| match keys {
            ossguard::app::region_keys::RegionKeysState::Loaded(keys) => keys
                .iter()
                .find(|k| k.key_id() == aes)
                .and_then(|k| k.aliases.first().cloned()),
            _ => None,
        })
        .expect("the demo key has an alias");
    test.type_into(KEY_FIELD, &alias);
    test.settle();
    assert!(
        test.harness
            .query_by_label_contains("OSS takes a CMK ID, not an alias")
            .is_some(),
        "the form refuses the alias"
    );
    test.harness
        .get_by_label(&format!("Use {aes} (the key {alias} names)"))
        .click();
    test.settle();
    assert_eq!(key_field(&test), aes);
}

#[test]
fn buckets_of_several_regions_get_one_key_per_region() {
    let mut test = UiTest::start_demo(|_| {});
    let other = "app-base-oss-sh";
    for bucket in [BUCKET, other] {
        test.harness
            .get_by_label(&format!("Select {bucket}"))
            .click();
        test.settle();
    }
    test.step_until_label("2 buckets selected");
    let (first, second) = (region_of(&test, BUCKET), region_of(&test, other));
    assert_ne!(first, second);
    // Neither bucket has a rule, so the form opens on KMS with a picker per region.
    let first_key = demo_key_id(&first, "aes");
    let second_key = demo_key_id(&second, "sm4");
    test.step_until_label_contains(&first_key);
    test.step_until_label_contains(&second_key);
    assert_eq!(
        test.harness
            .query_all_by_label_contains("Not usable: The key is disabled")
            .count(),
        2,
        "each region's disabled key, greyed with its reason"
    );
    test.harness.get_by_label_contains(&first_key).click();
    test.settle();
    // The second region's picker is low in the panel: scroll it into view first.
    test.harness
        .get_by_label_contains(&second_key)
        .scroll_to_me();
    test.settle();
    test.harness.get_by_label_contains(&second_key).click();
    test.settle();
    let field = |region: &str| format!("KMS key ID for {region} (blank: the default key)");
    assert_eq!(
        test.harness.get_by_label(&field(&first)).value().as_deref(),
        Some(first_key.as_str())
    );
    assert_eq!(
        test.harness
            .get_by_label(&field(&second))
            .value()
            .as_deref(),
        Some(second_key.as_str())
    );
    // A disabled key of one region cannot be picked for it.
    let disabled = demo_key_id(&first, "disabled");
    let entry = test.harness.get_by_label_contains(&disabled);
    assert!(entry.accesskit_node().is_disabled());
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 2 buckets");
    test.harness.get_by_label("Confirm").click();
    test.step_until("the batch to finish", |h| {
        h.state().state().batch.as_ref().is_some_and(|b| b.finished)
    });
    for (bucket, key) in [(BUCKET, &first_key), (other, &second_key)] {
        assert_eq!(
            encryption(&test, bucket),
            Some(EncryptionState::Configured(SseRule::Kms {
                key_id: Some(key.clone()),
                sm4_data: false
            })),
            "{bucket}"
        );
    }
}
