//! The table's selection: the focused row (shown in the detail panel), the ticked rows (a
//! bulk change's targets) and the anchor a Shift range starts from. Pure: the view
//! translates clicks and keys into these calls, so every rule here is unit-tested.
//!
//! Ticks survive a filter change, but a change only ever targets the ticked rows the filter
//! shows: what the administrator sees listed is what a bulk change acts on.

use std::collections::{BTreeSet, HashSet};

use crate::app::row::RowKey;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Ticked rows (several buckets at once).
    pub ticked: BTreeSet<RowKey>,
    /// The focused row, shown in the detail panel.
    pub primary: Option<RowKey>,
    /// Where a Shift+click or Shift+arrow range starts.
    anchor: Option<RowKey>,
}

/// The header checkbox: none, some or all of the shown rows are ticked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickState {
    None,
    Some,
    All,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.ticked.is_empty() && self.primary.is_none()
    }

    /// The buckets a change applies to: the ticked ones the filter shows, else the focused
    /// one.
    pub fn targets(&self, shown: &HashSet<RowKey>) -> Vec<RowKey> {
        if self.ticked.is_empty() {
            self.primary.iter().cloned().collect()
        } else {
            self.ticked
                .iter()
                .filter(|n| shown.contains(*n))
                .cloned()
                .collect()
        }
    }

    /// Ticked rows the current filter hides (a change leaves them alone).
    pub fn hidden_ticked(&self, shown: &HashSet<RowKey>) -> usize {
        self.ticked.iter().filter(|n| !shown.contains(*n)).count()
    }

    /// A plain click focuses the row and moves the anchor there; Shift+click ticks every row
    /// from the anchor to it (in the order shown).
    pub fn click(&mut self, rows: &[RowKey], position: usize, shift: bool) {
        let Some(name) = rows.get(position) else {
            return;
        };
        if shift && let Some(from) = self.anchor_position(rows) {
            self.tick_range(rows, from, position);
        } else {
            self.anchor = Some(name.clone());
        }
        self.primary = Some(name.clone());
    }

    /// Arrow keys: moves the focus by `delta` rows (clamped); with Shift, ticks the range
    /// from the anchor to the new row.
    pub fn step(&mut self, rows: &[RowKey], delta: isize, shift: bool) {
        if rows.is_empty() {
            return;
        }
        let last = rows.len() - 1;
        let target = match self.primary_position(rows) {
            Some(at) => at.saturating_add_signed(delta).min(last),
            // Nothing focused yet: Down starts at the top, Up at the bottom.
            None if delta >= 0 => 0,
            None => last,
        };
        if shift {
            if self.anchor_position(rows).is_none() {
                self.anchor = self.primary.clone().or_else(|| rows.get(target).cloned());
            }
            if let Some(from) = self.anchor_position(rows) {
                self.tick_range(rows, from, target);
            }
        } else {
            self.anchor = rows.get(target).cloned();
        }
        self.primary = rows.get(target).cloned();
    }

    /// Space and the row checkbox: ticks or unticks one row.
    pub fn toggle(&mut self, name: &RowKey) {
        if !self.ticked.remove(name) {
            self.ticked.insert(name.clone());
        }
        self.anchor = Some(name.clone());
    }

    /// Space on the focused row.
    pub fn toggle_primary(&mut self) {
        if let Some(name) = self.primary.clone() {
            self.toggle(&name);
        }
    }

    /// Ctrl+A and the header checkbox: ticks every shown row, or unticks them all when they
    /// were all ticked already.
    pub fn toggle_all(&mut self, rows: &[RowKey], shown: &HashSet<RowKey>) {
        if self.tick_state(shown) == TickState::All {
            self.ticked.retain(|n| !shown.contains(n));
        } else {
            self.ticked.extend(rows.iter().cloned());
        }
    }

    /// Bounded by the ticked count, not the row count: cheap enough for every frame.
    pub fn tick_state(&self, shown: &HashSet<RowKey>) -> TickState {
        let ticked_shown = self.ticked.iter().filter(|n| shown.contains(*n)).count();
        match ticked_shown {
            0 => TickState::None,
            n if n == shown.len() => TickState::All,
            _ => TickState::Some,
        }
    }

    /// Esc: unticks everything and closes the detail panel.
    pub fn clear(&mut self) {
        self.ticked.clear();
        self.primary = None;
        self.anchor = None;
    }

    /// Drops rows that no longer exist (deleted elsewhere, or another profile's).
    pub fn retain(&mut self, exists: impl Fn(&RowKey) -> bool) {
        self.ticked.retain(|n| exists(n));
        if self.primary.as_ref().is_some_and(|n| !exists(n)) {
            self.primary = None;
        }
        if self.anchor.as_ref().is_some_and(|n| !exists(n)) {
            self.anchor = None;
        }
    }

    fn primary_position(&self, rows: &[RowKey]) -> Option<usize> {
        let name = self.primary.as_ref()?;
        rows.iter().position(|n| n == name)
    }

    fn anchor_position(&self, rows: &[RowKey]) -> Option<usize> {
        let name = self.anchor.as_ref()?;
        rows.iter().position(|n| n == name)
    }

    fn tick_range(&mut self, rows: &[RowKey], a: usize, b: usize) {
        let (from, to) = if a <= b { (a, b) } else { (b, a) };
        if let Some(range) = rows.get(from..=to) {
            self.ticked.extend(range.iter().cloned());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{Selection, TickState};
    use crate::app::row::RowKey;
    use crate::core::model::BucketName;

    fn names(list: &[&str]) -> Vec<RowKey> {
        list.iter()
            .map(|n| RowKey::single(BucketName::parse(n).expect("valid")))
            .collect()
    }

    fn name(key: &RowKey) -> &str {
        key.name.as_str()
    }

    fn set(rows: &[RowKey]) -> HashSet<RowKey> {
        rows.iter().cloned().collect()
    }

    fn ticked(sel: &Selection) -> Vec<&str> {
        sel.ticked.iter().map(name).collect()
    }

    #[test]
    fn arrows_move_the_focus_and_shift_arrows_tick_a_range() {
        let rows = names(&["aaa", "bbb", "ccc", "ddd"]);
        let mut sel = Selection::default();
        sel.step(&rows, 1, false);
        assert_eq!(sel.primary.as_ref().map(name), Some("aaa"));
        sel.step(&rows, 1, false);
        assert_eq!(sel.primary.as_ref().map(name), Some("bbb"));
        sel.step(&rows, -5, false);
        assert_eq!(sel.primary.as_ref().map(name), Some("aaa"));
        sel.step(&rows, 1, true);
        sel.step(&rows, 1, true);
        assert_eq!(ticked(&sel), ["aaa", "bbb", "ccc"]);
        assert_eq!(sel.primary.as_ref().map(name), Some("ccc"));
        sel.step(&rows, 9, false);
        assert_eq!(sel.primary.as_ref().map(name), Some("ddd"));
        // Up with nothing focused starts at the bottom.
        let mut fresh = Selection::default();
        fresh.step(&rows, -1, false);
        assert_eq!(fresh.primary.as_ref().map(name), Some("ddd"));
    }

    #[test]
    fn shift_click_ticks_from_the_anchor_in_the_order_shown() {
        let rows = names(&["ddd", "aaa", "ccc", "bbb"]);
        let mut sel = Selection::default();
        sel.click(&rows, 3, false);
        sel.click(&rows, 1, true);
        assert_eq!(ticked(&sel), ["aaa", "bbb", "ccc"]);
        assert_eq!(sel.primary.as_ref().map(name), Some("aaa"));
        // Without an anchor, Shift+click just focuses.
        let mut fresh = Selection::default();
        fresh.click(&rows, 2, true);
        assert!(fresh.ticked.is_empty());
    }

    #[test]
    fn space_toggles_the_focused_row_and_esc_clears() {
        let rows = names(&["aaa", "bbb"]);
        let mut sel = Selection::default();
        sel.toggle_primary();
        assert!(sel.ticked.is_empty(), "nothing focused");
        sel.click(&rows, 1, false);
        sel.toggle_primary();
        assert_eq!(ticked(&sel), ["bbb"]);
        sel.toggle_primary();
        assert!(sel.ticked.is_empty());
        sel.toggle_primary();
        sel.clear();
        assert!(sel.is_empty());
    }

    #[test]
    fn tick_all_covers_the_shown_rows_and_targets_skip_hidden_ticks() {
        let all = names(&["aaa", "bbb", "ccc", "ddd"]);
        let mut sel = Selection::default();
        sel.toggle(&all[0]);
        let shown_rows = names(&["bbb", "ccc"]);
        let shown = set(&shown_rows);
        assert_eq!(sel.tick_state(&shown), TickState::None);
        sel.toggle_all(&shown_rows, &shown);
        assert_eq!(sel.tick_state(&shown), TickState::All);
        assert_eq!(ticked(&sel), ["aaa", "bbb", "ccc"]);
        assert_eq!(sel.hidden_ticked(&shown), 1);
        let targets: Vec<_> = sel.targets(&shown);
        assert_eq!(
            targets,
            names(&["bbb", "ccc"]),
            "the hidden tick is left out"
        );
        sel.toggle(&all[1]);
        assert_eq!(sel.tick_state(&shown), TickState::Some);
        sel.toggle(&all[1]);
        // All shown were ticked: the header unticks them, the hidden tick stays.
        sel.toggle_all(&shown_rows, &shown);
        assert_eq!(ticked(&sel), ["aaa"]);
        // No ticks: the focused row is the target.
        let mut focus = Selection::default();
        focus.click(&all, 3, false);
        assert_eq!(focus.targets(&shown), names(&["ddd"]));
    }

    #[test]
    fn retain_drops_rows_that_are_gone() {
        let rows = names(&["aaa", "bbb"]);
        let mut sel = Selection::default();
        sel.click(&rows, 0, false);
        sel.toggle(&rows[1]);
        sel.retain(|n| n.name.as_str() == "bbb");
        assert_eq!(sel.primary, None);
        assert_eq!(ticked(&sel), ["bbb"]);
    }
}
