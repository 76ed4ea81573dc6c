//! The change form: which rule to set (or delete), validated inline by `core::validate` every
//! frame; "Review change…" stays disabled until the draft is a valid change.

use crate::app::event::Change;
use crate::core::sse::SseRule;
use crate::core::validate::{kms_key_for_regions, rule_from_fields};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleChoice {
    Aes256,
    #[default]
    KmsDefault,
    KmsKey,
    Sm4,
    KmsSm4,
    Delete,
}

impl RuleChoice {
    pub const ALL: [Self; 6] = [
        Self::Aes256,
        Self::KmsDefault,
        Self::KmsKey,
        Self::Sm4,
        Self::KmsSm4,
        Self::Delete,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Aes256 => "AES256 (SSE-OSS)",
            Self::KmsDefault => "KMS with the default key",
            Self::KmsKey => "KMS with a CMK ID",
            Self::Sm4 => "SM4 (SSE-OSS)",
            Self::KmsSm4 => "KMS with SM4 data encryption",
            Self::Delete => "Delete the rule",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RuleDraft {
    pub choice: RuleChoice,
    /// Required for "KMS with a CMK ID", optional for "KMS with SM4".
    pub key_id: String,
}

impl RuleDraft {
    fn uses_key(&self) -> bool {
        matches!(self.choice, RuleChoice::KmsKey | RuleChoice::KmsSm4)
    }

    /// The change this draft describes for buckets in `regions`, or why it is not valid yet.
    pub fn validate(&self, regions: &[&str]) -> Result<Change, String> {
        let key = self.key_id.trim();
        let (algorithm, key_id, data) = match self.choice {
            RuleChoice::Delete => return Ok(Change::Delete),
            RuleChoice::Aes256 => ("AES256", None, None),
            RuleChoice::Sm4 => ("SM4", None, None),
            RuleChoice::KmsDefault => ("KMS", None, None),
            RuleChoice::KmsKey if key.is_empty() => {
                return Err("Enter the CMK ID (a key ID, or a key ARN).".into());
            }
            RuleChoice::KmsKey => ("KMS", Some(key), None),
            RuleChoice::KmsSm4 => ("KMS", Some(key), Some("SM4")),
        };
        // One key for every target region, sent as its key ID (an ARN is turned into one).
        let key_id = match key_id.filter(|k| !k.is_empty()) {
            Some(key) => Some(kms_key_for_regions(key, regions).map_err(|e| e.to_string())?),
            None => None,
        };
        rule_from_fields(algorithm, key_id.as_deref(), data)
            .map(Change::Set)
            .map_err(|e| e.to_string())
    }

    /// Prefills the form from a bucket's current rule.
    pub fn from_rule(rule: Option<&SseRule>) -> Self {
        match rule {
            Some(SseRule::Aes256) => Self {
                choice: RuleChoice::Aes256,
                key_id: String::new(),
            },
            Some(SseRule::Sm4) => Self {
                choice: RuleChoice::Sm4,
                key_id: String::new(),
            },
            Some(SseRule::Kms { key_id, sm4_data }) => Self {
                choice: match (sm4_data, key_id) {
                    (true, _) => RuleChoice::KmsSm4,
                    (false, Some(_)) => RuleChoice::KmsKey,
                    (false, None) => RuleChoice::KmsDefault,
                },
                key_id: key_id.clone().unwrap_or_default(),
            },
            None => Self::default(),
        }
    }
}

/// The form; returns the valid change when the user asks to review it.
pub fn rule_form_ui(
    ui: &mut egui::Ui,
    draft: &mut RuleDraft,
    regions: &[&str],
    busy: bool,
) -> Option<Change> {
    ui.strong("Change the rule");
    for choice in RuleChoice::ALL {
        ui.radio_value(&mut draft.choice, choice, choice.label());
    }
    if draft.uses_key() {
        ui.horizontal(|ui| {
            let title = if draft.choice == RuleChoice::KmsKey {
                "KMS key ID"
            } else {
                "KMS key ID (optional)"
            };
            let label = ui.label(title);
            ui.add(
                egui::TextEdit::singleline(&mut draft.key_id)
                    .hint_text("key-…, a UUID, or an acs:kms:…:key/… ARN")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
        });
    }
    let result = draft.validate(regions);
    if let Err(problem) = &result {
        ui.colored_label(ui.visuals().error_fg_color, problem);
    }
    let enabled = result.is_ok() && !busy;
    let review = ui
        .add_enabled(enabled, egui::Button::new("Review change…"))
        .on_disabled_hover_text("Fix the form first, or wait for the running change.");
    if review.clicked() { result.ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::{RuleChoice, RuleDraft};
    use crate::app::event::Change;
    use crate::core::sse::SseRule;

    #[test]
    fn drafts_validate_inline() {
        let mut draft = RuleDraft {
            choice: RuleChoice::KmsKey,
            key_id: String::new(),
        };
        assert!(draft.validate(&["cn-hangzhou"]).is_err());
        draft.key_id = "not a key".into();
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
        // A key ARN of the buckets' region is sent as its key ID.
        draft.key_id = "acs:kms:cn-hangzhou:1:key/key-hzz68d1fd85qslv95ilz4".into();
        assert!(matches!(
            draft.validate(&["cn-hangzhou"]),
            Ok(Change::Set(SseRule::Kms { key_id: Some(k), .. })) if k == "key-hzz68d1fd85qslv95ilz4"
        ));
        draft.choice = RuleChoice::KmsSm4;
        draft.key_id.clear();
        assert_eq!(
            draft.validate(&[]),
            Ok(Change::Set(SseRule::Kms {
                key_id: None,
                sm4_data: true
            }))
        );
        draft.choice = RuleChoice::Delete;
        assert_eq!(draft.validate(&[]), Ok(Change::Delete));
    }
}
