//! A row's encryption category: one place that says what each rule counts as, shared by
//! the badge, the state filter and chips, the coverage bars and the export's `state` field.

use crate::core::sse::{EncryptionState, SseRule};

/// A row's encryption category: the badge, the state filter and the summary counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    NotEncrypted,
    Aes256,
    Kms,
    KmsSm4,
    Sm4,
    Unknown,
    /// The rule names a CMK that cannot protect the bucket (disabled, pending deletion, not
    /// found in the bucket's region, not for encryption); see `view::row_category`.
    KeyUnusable,
    /// Not read yet.
    Pending,
}

impl Category {
    pub const ALL: [Self; 8] = [
        Self::NotEncrypted,
        Self::Aes256,
        Self::Kms,
        Self::KmsSm4,
        Self::Sm4,
        Self::Unknown,
        Self::KeyUnusable,
        Self::Pending,
    ];

    pub fn of(state: Option<&EncryptionState>) -> Self {
        match state {
            None => Self::Pending,
            Some(EncryptionState::NotConfigured) => Self::NotEncrypted,
            Some(EncryptionState::Unknown(_)) => Self::Unknown,
            Some(EncryptionState::Configured(rule)) => match rule {
                SseRule::Aes256 => Self::Aes256,
                SseRule::Kms { sm4_data: true, .. } => Self::KmsSm4,
                SseRule::Kms { .. } => Self::Kms,
                SseRule::Sm4 => Self::Sm4,
            },
        }
    }

    /// The badge text.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotEncrypted => "None",
            Self::Aes256 => "AES256",
            Self::Kms => "KMS",
            Self::KmsSm4 => "KMS + SM4",
            Self::Sm4 => "SM4",
            Self::Unknown => "Unknown",
            Self::KeyUnusable => "Key unusable",
            Self::Pending => "Loading",
        }
    }

    /// Any rule at all (AES256, KMS, SM4; a KMS rule whose key is unusable is still a rule).
    pub fn is_encrypted(self) -> bool {
        matches!(
            self,
            Self::Aes256 | Self::Kms | Self::KmsSm4 | Self::Sm4 | Self::KeyUnusable
        )
    }

    /// The export's `state` field.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotEncrypted => "not_encrypted",
            Self::Aes256 => "aes256",
            Self::Kms => "kms",
            Self::KmsSm4 => "kms_sm4",
            Self::Sm4 => "sm4",
            Self::Unknown => "unknown",
            Self::KeyUnusable => "key_unusable",
            Self::Pending => "pending",
        }
    }

    /// The words used in the summary line ("7 of 30 not encrypted").
    pub fn summary_label(self) -> &'static str {
        match self {
            Self::NotEncrypted => "not encrypted",
            Self::Aes256 => "AES256",
            Self::Kms => "KMS",
            Self::KmsSm4 => "KMS + SM4",
            Self::Sm4 => "SM4",
            Self::Unknown => "unknown",
            Self::KeyUnusable => "key unusable",
            Self::Pending => "loading",
        }
    }

    /// Its slot in per-category count arrays.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}
