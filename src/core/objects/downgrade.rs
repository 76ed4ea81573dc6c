//! What a copy loses when it changes an already encrypted object's encryption: re-encrypting
//! to a different rule is intended (key rotation needs it), but a plan must say when the new
//! encryption protects less than the old one.

use crate::core::sse::SseRule;

/// One protection the target does not keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loss {
    /// From a customer master key to the KMS default key or to an OSS-managed key: the
    /// key's owner loses control of (and the audit trail of) decryption.
    Cmk,
    /// From SM4 (SSE-OSS SM4 or KMS with SM4 data) to a non-SM4 cipher.
    Sm4,
    /// From a KMS key to an OSS-managed key (AES256 or SM4).
    Kms,
}

impl Loss {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cmk => "customer-master-key",
            Self::Sm4 => "sm4",
            Self::Kms => "kms",
        }
    }

    pub fn why(self) -> &'static str {
        match self {
            Self::Cmk => "a customer master key is replaced by a key you do not control",
            Self::Sm4 => "SM4 encryption is replaced by a non-SM4 cipher",
            Self::Kms => "a KMS key is replaced by an OSS-managed key",
        }
    }
}

fn is_sm4(rule: &SseRule) -> bool {
    matches!(rule, SseRule::Sm4 | SseRule::Kms { sm4_data: true, .. })
}

/// What copying an object encrypted with `from` to `to` loses; empty when nothing.
pub fn losses(from: &SseRule, to: &SseRule) -> Vec<Loss> {
    let mut lost = Vec::new();
    if from.kms_key_id().is_some() && to.kms_key_id().is_none() {
        lost.push(Loss::Cmk);
    }
    if is_sm4(from) && !is_sm4(to) {
        lost.push(Loss::Sm4);
    }
    if matches!(from, SseRule::Kms { .. }) && !matches!(to, SseRule::Kms { .. }) {
        lost.push(Loss::Kms);
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::{Loss, losses};
    use crate::core::sse::SseRule;

    fn kms(key: Option<&str>, sm4_data: bool) -> SseRule {
        SseRule::Kms {
            key_id: key.map(str::to_owned),
            sm4_data,
        }
    }

    #[test]
    fn each_downgrade_and_none_for_upgrades() {
        let cmk = kms(Some("key-1"), false);
        assert_eq!(losses(&cmk, &kms(None, false)), [Loss::Cmk]);
        assert_eq!(losses(&cmk, &SseRule::Aes256), [Loss::Cmk, Loss::Kms]);
        assert_eq!(losses(&kms(None, false), &SseRule::Aes256), [Loss::Kms]);
        assert_eq!(losses(&SseRule::Sm4, &SseRule::Aes256), [Loss::Sm4]);
        assert_eq!(losses(&kms(None, true), &kms(None, false)), [Loss::Sm4]);
        // Rotation to another CMK, and upgrades, lose nothing.
        assert!(losses(&cmk, &kms(Some("key-2"), false)).is_empty());
        assert!(losses(&SseRule::Aes256, &cmk).is_empty());
        assert!(losses(&kms(None, false), &cmk).is_empty());
        assert!(losses(&SseRule::Sm4, &kms(None, true)).is_empty());
    }
}
