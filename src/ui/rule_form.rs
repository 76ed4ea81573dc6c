//! The change form: which rule to set (or delete), validated inline every frame by the change
//! engine's [`RuleSpec`]; "Review change…" stays disabled until the draft is a valid change
//! that would change at least one bucket's rule. The draft belongs to one selection of one
//! profile: it starts again from the buckets' rule when either changes.

use crate::app::change::{Algorithm, Change, RuleSpec};
use crate::core::model::BucketName;
use crate::core::sse::SseRule;

use super::key_picker::{KeyPicker, key_picker_ui};

/// What the draft was made for: a profile and the buckets it targets.
type DraftFor = (String, Vec<BucketName>);

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
    made_for: Option<DraftFor>,
}

impl RuleDraft {
    /// The change this draft describes for buckets in `regions`, or why it is not valid yet.
    pub fn validate(&self, regions: &[&str]) -> Result<Change, String> {
        let Some(algorithm) = self.algorithm else {
            return Ok(Change::Delete);
        };
        let kms = algorithm == Algorithm::Kms;
        let spec = RuleSpec {
            algorithm,
            kms_key_id: kms.then(|| self.key_id.clone()),
            sm4_data: kms && self.sm4_data,
        };
        spec.build(regions)
            .map(Change::Set)
            .map_err(|e| e.to_string())
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
            made_for: None,
        }
    }

    /// Starts again from `rule` when the profile or the targets changed since the draft was
    /// made, so one account's key never ends up in another account's change.
    pub fn follow(&mut self, profile: &str, targets: &[BucketName], rule: Option<&SseRule>) {
        let now = (profile.to_owned(), targets.to_vec());
        if self.made_for.as_ref() != Some(&now) {
            *self = Self::from_rule(rule);
            self.made_for = Some(now);
        }
    }
}

/// The form; returns the valid change when the user asks to review it. `current` holds the
/// known rule of each target (`None` inside: no rule); a change none of them would notice
/// is not offered. `picker`: the keys of the targets' region (one region only).
pub fn rule_form_ui(
    ui: &mut egui::Ui,
    draft: &mut RuleDraft,
    regions: &[&str],
    current: &[Option<SseRule>],
    busy: bool,
    picker: Option<&mut KeyPicker<'_>>,
) -> Option<Change> {
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
    if draft.algorithm == Some(Algorithm::Kms) {
        ui.horizontal(|ui| {
            let label = ui.label("KMS key ID (blank: the default key)");
            ui.add(
                egui::TextEdit::singleline(&mut draft.key_id)
                    .hint_text("key-…, a UUID, or an acs:kms:…:key/… ARN")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
        });
        ui.checkbox(&mut draft.sm4_data, "SM4 data encryption");
        match picker {
            Some(picker) => key_picker_ui(ui, picker, &mut draft.key_id, &mut draft.key_search),
            None if several_regions(regions) => {
                ui.weak("The key picker lists one region's keys: tick buckets of one region to pick a CMK.");
            }
            None => {}
        }
    }
    let result = draft.validate(regions).and_then(|change| {
        let unchanged =
            !current.is_empty() && current.iter().all(|rule| rule.as_ref() == change.target());
        if unchanged {
            Err(no_change_reason(current.len()))
        } else {
            Ok(change)
        }
    });
    if let Err(problem) = &result {
        ui.colored_label(ui.visuals().error_fg_color, problem);
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

fn several_regions(regions: &[&str]) -> bool {
    regions.iter().any(|r| Some(r) != regions.first())
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
    fn the_draft_starts_again_for_another_selection_or_profile() {
        let a = BucketName::parse("aaa").expect("valid");
        let b = BucketName::parse("bbb").expect("valid");
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
