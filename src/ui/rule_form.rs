//! The change form: which rule to set (or delete), validated inline every frame by the change
//! engine's [`RuleSpec`]; "Review change…" stays disabled until the draft is a valid change
//! that would change at least one bucket's rule. The draft belongs to one selection of one
//! profile: it starts again from the buckets' rule when either changes.

use std::collections::BTreeMap;

use crate::app::change::{Algorithm, Change, RuleSpec};
use crate::app::row::RowKey;
use crate::core::sse::SseRule;

use super::key_picker::{KeyPicker, key_picker_ui};

/// What the draft was made for: a profile and the buckets it targets.
type DraftFor = (String, Vec<RowKey>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDraft {
    /// `None`: delete the rule.
    pub algorithm: Option<Algorithm>,
    /// KMS only; blank: the KMS-managed default key.
    pub key_id: String,
    /// KMS only: SM4 data encryption.
    pub sm4_data: bool,
    /// The key picker's search text.
    pub key_search: String,
    /// KMS for buckets of several regions: the CMK of each region (blank: the default key)
    /// and each region picker's search text.
    pub region_keys: BTreeMap<String, String>,
    pub region_searches: BTreeMap<String, String>,
    made_for: Option<DraftFor>,
}

impl RuleDraft {
    /// The change this draft describes for buckets in `regions`, or why it is not valid yet.
    pub fn validate(&self, regions: &[&str]) -> Result<Change, String> {
        let Some(algorithm) = self.algorithm else {
            return Ok(Change::Delete);
        };
        RuleSpec::of_choice(algorithm, &self.key_id, self.sm4_data)
            .build(regions)
            .map(Change::Set)
            .map_err(|e| e.to_string())
    }

    /// KMS for buckets of several regions: each region's change with its own CMK (one CMK
    /// lives in one region), or why one is not valid yet.
    pub fn validate_by_region(&self, regions: &[&str]) -> Result<BTreeMap<String, Change>, String> {
        let mut out = BTreeMap::new();
        for region in regions {
            let spec = RuleSpec {
                algorithm: Algorithm::Kms,
                kms_key_id: self.region_keys.get(*region).cloned(),
                sm4_data: self.sm4_data,
            };
            let rule = spec
                .build(&[region])
                .map_err(|e| format!("{region}: {e}"))?;
            out.insert((*region).to_owned(), Change::Set(rule));
        }
        Ok(out)
    }

    /// Prefills the form from a bucket's current rule (KMS with the default key for none).
    pub fn from_rule(rule: Option<&SseRule>) -> Self {
        let spec = rule.map_or(
            RuleSpec {
                algorithm: Algorithm::Kms,
                kms_key_id: None,
                sm4_data: false,
            },
            RuleSpec::of,
        );
        Self {
            algorithm: Some(spec.algorithm),
            key_id: spec.kms_key_id.unwrap_or_default(),
            sm4_data: spec.sm4_data,
            key_search: String::new(),
            region_keys: BTreeMap::new(),
            region_searches: BTreeMap::new(),
            made_for: None,
        }
    }

    /// Starts again from `rule` when the profile or the targets changed since the draft was
    /// made, so one account's key never ends up in another account's change.
    pub fn follow(&mut self, profile: &str, targets: &[RowKey], rule: Option<&SseRule>) {
        let now = (profile.to_owned(), targets.to_vec());
        if self.made_for.as_ref() != Some(&now) {
            *self = Self::from_rule(rule);
            self.made_for = Some(now);
        }
    }
}

/// What the form asks to review: one change for every target, or KMS with one CMK per region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormChange {
    All(Change),
    ByRegion(BTreeMap<String, Change>),
}

impl FormChange {
    fn for_region(&self, region: &str) -> Option<&Change> {
        match self {
            Self::All(change) => Some(change),
            Self::ByRegion(changes) => changes.get(region),
        }
    }
}

/// The form; returns the valid change when the user asks to review it. `regions` and
/// `current` follow the targets (`current`: the known rule of each, `None` inside: no rule;
/// empty when some are unknown); a change none of them would notice is not offered.
/// `pickers`: the keys of each region of the targets.
pub fn rule_form_ui(
    ui: &mut egui::Ui,
    draft: &mut RuleDraft,
    regions: &[&str],
    current: &[Option<SseRule>],
    busy: bool,
    pickers: &mut [KeyPicker<'_>],
) -> Option<FormChange> {
    ui.strong("Change the rule");
    let focus = super::widgets::take_rule_form_focus(ui);
    for algorithm in Algorithm::ALL {
        let response = ui.radio_value(&mut draft.algorithm, Some(algorithm), algorithm.label());
        if focus && draft.algorithm == Some(algorithm) {
            response.request_focus();
            response.scroll_to_me(None);
        }
    }
    ui.radio_value(&mut draft.algorithm, None, "Delete the rule");
    let kms = draft.algorithm == Some(Algorithm::Kms);
    let per_region = kms && several_regions(regions);
    if kms && !per_region {
        key_field_ui(ui, "KMS key ID (blank: the default key)", &mut draft.key_id);
        if let Some(picker) = pickers.first_mut() {
            key_picker_ui(ui, picker, &mut draft.key_id, &mut draft.key_search);
        }
    }
    if per_region {
        ui.label("One CMK per region (a key lives in one region):");
        for picker in pickers.iter_mut() {
            let region = picker.region.to_owned();
            ui.separator();
            let key = draft.region_keys.entry(region.clone()).or_default();
            key_field_ui(
                ui,
                &format!("KMS key ID for {region} (blank: the default key)"),
                key,
            );
            let search = draft.region_searches.entry(region).or_default();
            key_picker_ui(ui, picker, key, search);
        }
    }
    if kms {
        ui.checkbox(&mut draft.sm4_data, "SM4 data encryption");
    }
    let planned = if per_region {
        draft.validate_by_region(regions).map(FormChange::ByRegion)
    } else {
        draft.validate(regions).map(FormChange::All)
    };
    // The form starts on the current rule: that is no mistake, only nothing to do yet, so it
    // gets a neutral line, while an identical change is still refused.
    let unchanged = planned.as_ref().is_ok_and(|planned| {
        !current.is_empty()
            && regions.iter().zip(current).all(|(region, rule)| {
                planned
                    .for_region(region)
                    .is_some_and(|c| rule.as_ref() == c.target())
            })
    });
    let result = if unchanged {
        Err(no_change_reason(current.len()))
    } else {
        planned
    };
    match &result {
        Err(_) if unchanged => {
            ui.weak(unchanged_hint(current.len()));
        }
        Err(problem) => {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        Ok(_) => {}
    }
    let enabled = result.is_ok() && !busy;
    let review = ui
        .add_enabled(enabled, egui::Button::new("Review change…"))
        .on_disabled_hover_text(match &result {
            Err(problem) => problem.clone(),
            Ok(_) => "Wait for the running change.".to_owned(),
        });
    if review.clicked() { result.ok() } else { None }
}

fn key_field_ui(ui: &mut egui::Ui, label: &str, key: &mut String) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(key)
                .hint_text("key-…, a UUID, or an acs:kms:…:key/… ARN")
                .desired_width(260.0),
        )
        .labelled_by(label.id);
    });
}

fn several_regions(regions: &[&str]) -> bool {
    regions.iter().any(|r| Some(r) != regions.first())
}

/// The neutral line under a form that shows the current rule.
fn unchanged_hint(buckets: usize) -> String {
    if buckets == 1 {
        "The bucket's current rule. Pick another to change it.".into()
    } else {
        format!("The current rule of all {buckets} buckets. Pick another to change them.")
    }
}

fn no_change_reason(buckets: usize) -> String {
    if buckets == 1 {
        "The bucket already has this rule: nothing to change.".into()
    } else {
        format!("All {buckets} buckets already have this rule: nothing to change.")
    }
}

#[cfg(test)]
mod tests {
    use super::RuleDraft;
    use crate::app::change::{Algorithm, Change};
    use crate::app::row::RowKey;
    use crate::core::model::BucketName;
    use crate::core::sse::SseRule;

    #[test]
    fn drafts_validate_inline() {
        let mut draft = RuleDraft {
            algorithm: Some(Algorithm::Kms),
            key_id: "not a key".into(),
            ..RuleDraft::default()
        };
        assert!(draft.validate(&["cn-hangzhou"]).is_err());
        draft.key_id = "acs:kms:cn-beijing:1:key/key-hzz68d1fd85qslv95ilz4".into();
        let err = draft.validate(&["cn-hangzhou"]).expect_err("wrong region");
        assert!(err.contains("cn-beijing"), "{err}");
        draft.key_id = " key-hzz68d1fd85qslv95ilz4 ".into();
        assert_eq!(
            draft.validate(&["cn-hangzhou"]),
            Ok(Change::Set(SseRule::Kms {
                key_id: Some("key-hzz68d1fd85qslv95ilz4".into()),
                sm4_data: false
            }))
        );
        // One plain key for buckets in two regions cannot be right: a CMK lives in one.
        let err = draft
            .validate(&["cn-hangzhou", "cn-beijing"])
            .expect_err("two regions");
        assert!(err.contains("2 regions"), "{err}");
        draft.key_id.clear();
        draft.sm4_data = true;
        assert_eq!(
            draft.validate(&[]),
            Ok(Change::Set(SseRule::Kms {
                key_id: None,
                sm4_data: true
            }))
        );
        // The key and SM4 data belong to KMS: switching away drops them.
        draft.algorithm = Some(Algorithm::Aes256);
        draft.key_id = "key-hzz68d1fd85qslv95ilz4".into();
        assert_eq!(draft.validate(&[]), Ok(Change::Set(SseRule::Aes256)));
        draft.algorithm = None;
        assert_eq!(draft.validate(&[]), Ok(Change::Delete));
    }

    #[test]
    fn buckets_of_several_regions_get_a_key_each() {
        let mut draft = RuleDraft {
            algorithm: Some(Algorithm::Kms),
            ..RuleDraft::default()
        };
        draft
            .region_keys
            .insert("cn-hangzhou".into(), "key-hzz68d1fd85qslv95ilz4".into());
        draft.region_keys.insert(
            "cn-beijing".into(),
            "acs:kms:cn-hangzhou:1:key/key-hzz68d1fd85qslv95ilz4".into(),
        );
        let err = draft
            .validate_by_region(&["cn-hangzhou", "cn-beijing"])
            .expect_err("another region's ARN");
        assert!(err.starts_with("cn-beijing:"), "{err}");
        draft.region_keys.remove("cn-beijing");
        let changes = draft
            .validate_by_region(&["cn-hangzhou", "cn-beijing", "cn-hangzhou"])
            .expect("valid");
        assert_eq!(changes.len(), 2);
        assert_eq!(
            changes["cn-hangzhou"],
            Change::Set(SseRule::Kms {
                key_id: Some("key-hzz68d1fd85qslv95ilz4".into()),
                sm4_data: false
            })
        );
        // Blank: the default key in that region.
        assert_eq!(
            changes["cn-beijing"],
            Change::Set(SseRule::Kms {
                key_id: None,
                sm4_data: false
            })
        );
    }

    #[test]
    fn the_draft_starts_again_for_another_selection_or_profile() {
        let a = RowKey::single(BucketName::parse("aaa").expect("valid"));
        let b = RowKey::single(BucketName::parse("bbb").expect("valid"));
        let mut draft = RuleDraft::default();
        draft.follow("prod", std::slice::from_ref(&a), None);
        draft.key_id = "key-hzz68d1fd85qslv95ilz4".into();
        draft.follow("prod", std::slice::from_ref(&a), None);
        assert_eq!(
            draft.key_id, "key-hzz68d1fd85qslv95ilz4",
            "same target: kept"
        );
        draft.follow("test", std::slice::from_ref(&a), None);
        assert!(draft.key_id.is_empty(), "another profile: reset");
        draft.key_id = "key-hzz68d1fd85qslv95ilz4".into();
        draft.follow("test", &[a, b], Some(&SseRule::Sm4));
        assert_eq!(draft.algorithm, Some(Algorithm::Sm4));
        assert!(draft.key_id.is_empty(), "another selection: reset");
    }
}
