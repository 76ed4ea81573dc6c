//! The overview above the table: encryption coverage per region and when rules were last
//! read. Recomputed with the table's view (only when the rows change), so it follows a
//! refresh as its answers stream in.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::app::state::BucketRow;
use crate::app::view::Category;

/// One region's rows per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCoverage {
    pub region: String,
    per_category: [usize; Category::ALL.len()],
    pub total: usize,
}

impl RegionCoverage {
    pub fn get(&self, category: Category) -> usize {
        self.per_category
            .get(category.index())
            .copied()
            .unwrap_or(0)
    }

    /// Rows with any encryption rule.
    pub fn encrypted(&self) -> usize {
        Category::ALL
            .into_iter()
            .filter(|c| c.is_encrypted())
            .map(|c| self.get(c))
            .sum()
    }

    /// e.g. "cn-hangzhou: 5 of 7 encrypted, 1 not encrypted, 1 loading" (the bar's
    /// accessible label and tooltip).
    pub fn describe(&self) -> String {
        let mut text = format!(
            "{}: {} of {} encrypted",
            self.region,
            self.encrypted(),
            self.total
        );
        for category in [Category::NotEncrypted, Category::Unknown, Category::Pending] {
            let n = self.get(category);
            if n > 0 {
                text.push_str(&format!(", {n} {}", category.summary_label()));
            }
        }
        text
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overview {
    /// Regions by name.
    pub regions: Vec<RegionCoverage>,
    /// The newest time a rule was read (by a refresh or a change's read-back).
    pub last_read: Option<DateTime<Utc>>,
}

impl Overview {
    pub fn of(rows: &[BucketRow]) -> Self {
        let mut regions: BTreeMap<&str, RegionCoverage> = BTreeMap::new();
        let mut last_read = None;
        for row in rows {
            let entry = regions
                .entry(row.bucket.region.as_str())
                .or_insert_with(|| RegionCoverage {
                    region: row.bucket.region.clone(),
                    per_category: [0; Category::ALL.len()],
                    total: 0,
                });
            let category = Category::of(row.encryption.as_ref());
            if let Some(n) = entry.per_category.get_mut(category.index()) {
                *n += 1;
            }
            entry.total += 1;
            last_read = last_read.max(row.read_at);
        }
        Self {
            regions: regions.into_values().collect(),
            last_read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Overview;
    use crate::app::event::RequestId;
    use crate::app::state::{BucketRow, InfoState, RowActivity};
    use crate::app::view::Category;
    use crate::core::model::{Bucket, BucketName};
    use crate::core::sse::{EncryptionState, SseRule};

    fn row(
        name: &str,
        region: &str,
        state: Option<EncryptionState>,
        read: Option<i64>,
    ) -> BucketRow {
        BucketRow {
            profile: None,
            bucket: Bucket::in_region(BucketName::parse(name).expect("valid"), region),
            encryption: state,
            activity: RowActivity::Idle,
            last_request: RequestId(1),
            listed_by: RequestId(1),
            verification: None,
            info: InfoState::NotLoaded,
            read_at: read.and_then(|s| chrono::DateTime::from_timestamp(s, 0)),
        }
    }

    #[test]
    fn coverage_per_region_counts_encrypted_not_and_pending() {
        let rows = [
            row(
                "aaa",
                "cn-hangzhou",
                Some(EncryptionState::Configured(SseRule::Aes256)),
                Some(10),
            ),
            row(
                "bbb",
                "cn-hangzhou",
                Some(EncryptionState::NotConfigured),
                Some(30),
            ),
            row("ccc", "cn-hangzhou", None, None),
            row(
                "ddd",
                "ap-southeast-1",
                Some(EncryptionState::Configured(SseRule::Sm4)),
                Some(20),
            ),
        ];
        let overview = Overview::of(&rows);
        let regions: Vec<&str> = overview.regions.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(regions, ["ap-southeast-1", "cn-hangzhou"]);
        let hz = &overview.regions[1];
        assert_eq!((hz.total, hz.encrypted()), (3, 1));
        assert_eq!(hz.get(Category::Pending), 1);
        assert_eq!(
            hz.describe(),
            "cn-hangzhou: 1 of 3 encrypted, 1 not encrypted, 1 loading"
        );
        assert_eq!(overview.last_read.map(|t| t.timestamp()), Some(30));
    }
}
