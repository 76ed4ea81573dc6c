//! The bucket table's filter, sort and summary counts: pure, and recomputed only when the
//! rows, the filter or the sort change (not every frame), so 10,000 rows stay smooth.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::app::event::ApplyOutcome;
use crate::app::overview::Overview;
use crate::app::row::RowKey;
use crate::app::state::{AppState, BucketRow, RowActivity};
use crate::core::sse::{EncryptionState, SseRule};

pub use crate::app::category::Category;

/// A row's category: its rule's, or "Key unusable" when KMS said its CMK cannot be used.
pub fn row_category(state: &AppState, row: &BucketRow) -> Category {
    if key_unusable(state, row) {
        return Category::KeyUnusable;
    }
    Category::of(row.encryption.as_ref())
}

/// Whether KMS said the CMK of the row's rule cannot be used.
pub fn key_unusable(state: &AppState, row: &BucketRow) -> bool {
    state.key_health(row).and_then(|k| k.usable) == Some(false)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SortColumn {
    Name,
    Region,
    Encryption,
    KeyId,
    DataEncryption,
    Created,
    Status,
    /// The profile and account ID; only in an audit of several profiles.
    Account,
}

impl SortColumn {
    /// The table's columns, in display order.
    /// Name and Encryption come first, so a narrow window or the detail panel never pushes
    /// them out of sight.
    pub const ALL: [Self; 8] = [
        Self::Name,
        Self::Encryption,
        Self::Account,
        Self::Region,
        Self::KeyId,
        Self::DataEncryption,
        Self::Created,
        Self::Status,
    ];

    /// Name and Encryption are what the table is for: the column chooser cannot hide them.
    pub fn can_hide(self) -> bool {
        !matches!(self, Self::Name | Self::Encryption)
    }

    /// The column's header text.
    pub fn title(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Region => "Region",
            Self::Encryption => "Encryption",
            Self::KeyId => "CMK ID",
            Self::DataEncryption => "Data encryption",
            Self::Created => "Created",
            Self::Status => "Status",
            Self::Account => "Account",
        }
    }
}

/// Rows per category, over all rows (not just the filtered ones).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    per_category: [usize; 8],
}

impl Counts {
    pub fn get(&self, category: Category) -> usize {
        self.per_category[category.index()]
    }
}

/// "1 object", "2 objects".
pub fn object_count(n: u64) -> String {
    if n == 1 {
        "1 object".to_owned()
    } else {
        format!("{n} objects")
    }
}

/// `1234567` -> `1,234,567`.
/// Decimal units, as OSS bills them: "1.5 GB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The status column's text.
pub fn status_text(row: &BucketRow) -> String {
    row_status(row, false)
}

/// The Status column: [`status_text`], except that a settled row whose CMK cannot be used
/// (`key_unusable`, see [`key_unusable`]) says so instead of "ok": its rule is there, but
/// new objects cannot be encrypted with it.
pub fn row_status(row: &BucketRow, key_unusable: bool) -> String {
    match row.activity {
        RowActivity::Loading if row.encryption.is_some() => return "refreshing…".to_owned(),
        RowActivity::Loading => return "loading…".to_owned(),
        RowActivity::Applying => return "applying…".to_owned(),
        RowActivity::Idle => {}
    }
    match (&row.verification, &row.encryption) {
        (Some(ApplyOutcome::Verified), _) => "verified".to_owned(),
        (Some(ApplyOutcome::WriteFailed(f)), _) => format!("change failed: {}", f.code),
        (Some(other), _) => other.label().to_owned(),
        (None, Some(EncryptionState::Unknown(f))) => f.code.clone(),
        (None, _) if key_unusable => "key unusable".to_owned(),
        (None, _) => "ok".to_owned(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ViewKey {
    data_version: u64,
    filter_text: String,
    state_filter: Option<Category>,
    sort: SortColumn,
    ascending: bool,
}

/// The table's filter and sort (owned by the view), with the cached result.
#[derive(Debug, Clone)]
pub struct TableView {
    pub filter_text: String,
    /// `None` shows every state.
    pub state_filter: Option<Category>,
    pub sort: SortColumn,
    pub ascending: bool,
    /// Columns the column chooser turned off.
    pub hidden_columns: BTreeSet<SortColumn>,
    cached: Option<ViewKey>,
    indices: Vec<usize>,
    /// The shown rows' names, in order and as a set (selection ranges and membership).
    names: Vec<RowKey>,
    shown: HashSet<RowKey>,
    counts: Counts,
    overview: Overview,
    recomputed: u64,
}

/// What the table remembers between runs (eframe storage, as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSettings {
    pub sort: SortColumn,
    pub ascending: bool,
    pub hidden_columns: BTreeSet<SortColumn>,
}

impl Default for TableView {
    fn default() -> Self {
        Self {
            filter_text: String::new(),
            state_filter: None,
            sort: SortColumn::Name,
            ascending: true,
            hidden_columns: BTreeSet::new(),
            cached: None,
            indices: Vec::new(),
            names: Vec::new(),
            shown: HashSet::new(),
            counts: Counts::default(),
            overview: Overview::default(),
            recomputed: 0,
        }
    }
}

impl TableView {
    /// Clicking a header sorts by it; clicking it again flips the direction.
    pub fn toggle_sort(&mut self, column: SortColumn) {
        if self.sort == column {
            self.ascending = !self.ascending;
        } else {
            self.sort = column;
            self.ascending = true;
        }
    }

    pub fn settings(&self) -> TableSettings {
        TableSettings {
            sort: self.sort,
            ascending: self.ascending,
            hidden_columns: self.hidden_columns.clone(),
        }
    }

    pub fn apply_settings(&mut self, settings: TableSettings) {
        self.sort = settings.sort;
        self.ascending = settings.ascending;
        self.hidden_columns = settings
            .hidden_columns
            .into_iter()
            .filter(|c| c.can_hide())
            .collect();
    }

    /// The columns shown, in display order.
    pub fn columns(&self) -> Vec<SortColumn> {
        SortColumn::ALL
            .into_iter()
            .filter(|c| !self.hidden_columns.contains(c))
            .collect()
    }

    /// The columns shown, with the Account column only in an audit of several profiles.
    pub fn columns_for(&self, all_profiles: bool) -> Vec<SortColumn> {
        let mut columns = self.columns();
        if !all_profiles {
            columns.retain(|c| *c != SortColumn::Account);
        }
        columns
    }

    /// The column chooser: shows or hides one column (Name and Encryption always show).
    pub fn set_column_shown(&mut self, column: SortColumn, shown: bool) {
        if shown {
            self.hidden_columns.remove(&column);
        } else if column.can_hide() {
            self.hidden_columns.insert(column);
        }
    }

    /// Recomputes the visible rows if anything they depend on changed.
    pub fn update(&mut self, state: &AppState) {
        let key = ViewKey {
            data_version: state.data_version(),
            filter_text: self.filter_text.trim().to_lowercase(),
            state_filter: self.state_filter,
            sort: self.sort,
            ascending: self.ascending,
        };
        if self.cached.as_ref() == Some(&key) {
            return;
        }
        let rows = state.rows();
        let mut counts = Counts {
            total: rows.len(),
            ..Counts::default()
        };
        let mut indices = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let category = row_category(state, row);
            counts.per_category[category.index()] += 1;
            if key.state_filter.is_some_and(|f| f != category) {
                continue;
            }
            if !key.filter_text.is_empty() && !matches_text(state, row, &key.filter_text) {
                continue;
            }
            indices.push(i);
        }
        if key.sort == SortColumn::Status {
            // The status text is built, not stored: build it once per row, not per comparison.
            indices.sort_by_cached_key(|i| {
                rows.get(*i)
                    .map(|r| (row_status(r, key_unusable(state, r)), r.key()))
            });
            if !key.ascending {
                indices.reverse();
            }
        } else {
            indices.sort_by(|a, b| {
                let (Some(a), Some(b)) = (rows.get(*a), rows.get(*b)) else {
                    return Ordering::Equal;
                };
                let order = compare(a, b, key.sort).then_with(|| a.key().cmp(&b.key()));
                if key.ascending {
                    order
                } else {
                    order.reverse()
                }
            });
        }
        self.names = indices
            .iter()
            .filter_map(|i| rows.get(*i))
            .map(BucketRow::key)
            .collect();
        self.shown = self.names.iter().cloned().collect();
        self.indices = indices;
        self.counts = counts;
        self.overview = Overview::of(rows);
        self.cached = Some(key);
        self.recomputed += 1;
    }

    /// Indices into [`AppState::rows`], filtered and sorted.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// The shown rows' names, filtered and sorted.
    pub fn names(&self) -> &[RowKey] {
        &self.names
    }

    /// The shown rows' names as a set.
    pub fn shown(&self) -> &HashSet<RowKey> {
        &self.shown
    }

    /// Coverage per region over all rows.
    pub fn overview(&self) -> &Overview {
        &self.overview
    }

    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// How many times the list was recomputed (tests check it is not every frame).
    pub fn recomputed(&self) -> u64 {
        self.recomputed
    }
}

/// Case-insensitive match on name, region, badge, key id and error code, and in an audit of
/// several profiles on the account (profile name and account ID).
fn matches_text(app: &AppState, row: &BucketRow, needle: &str) -> bool {
    let contains = |hay: &str| hay.to_lowercase().contains(needle);
    let state = row.encryption.as_ref();
    contains(row.bucket.name.as_str())
        || row
            .profile
            .as_deref()
            .is_some_and(|p| contains(&app.account_label(p)))
        || contains(&row.bucket.region)
        || contains(row_category(app, row).label())
        || app
            .key_health(row)
            .and_then(|k| k.alias.as_deref())
            .is_some_and(contains)
        || state
            .and_then(EncryptionState::rule)
            .and_then(SseRule::kms_key_id)
            .is_some_and(contains)
        || matches!(state, Some(EncryptionState::Unknown(f)) if contains(&f.code))
}

fn compare(a: &BucketRow, b: &BucketRow, column: SortColumn) -> Ordering {
    fn rule(r: &BucketRow) -> Option<&SseRule> {
        r.encryption.as_ref().and_then(EncryptionState::rule)
    }
    match column {
        SortColumn::Name => a.bucket.name.cmp(&b.bucket.name),
        SortColumn::Account => a.profile.cmp(&b.profile),
        SortColumn::Region => a.bucket.region.cmp(&b.bucket.region),
        SortColumn::Encryption => {
            Category::of(a.encryption.as_ref()).cmp(&Category::of(b.encryption.as_ref()))
        }
        SortColumn::KeyId => {
            let (ka, kb) = (
                rule(a).and_then(SseRule::kms_key_id),
                rule(b).and_then(SseRule::kms_key_id),
            );
            ka.cmp(&kb)
        }
        SortColumn::DataEncryption => {
            let data = |r: &BucketRow| rule(r).and_then(|x| x.data_encryption());
            data(a).cmp(&data(b))
        }
        SortColumn::Created => a.bucket.creation_date.cmp(&b.bucket.creation_date),
        // Sorted by cached key in `recompute`; kept here so the match stays total.
        SortColumn::Status => status_text(a).cmp(&status_text(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn bytes_in_decimal_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500), "1.5 KB");
        assert_eq!(human_bytes(2_684_354_560), "2.7 GB");
    }
}
