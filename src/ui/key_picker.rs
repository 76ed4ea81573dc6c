//! The key picker of the change form: the keys of the targets' region, searchable by ID or
//! alias, with their state, spec, origin and protection level. Only keys the shared
//! key-health decision finds usable can be picked; the others are greyed with the reason.

use crate::app::region_keys::{RegionKey, RegionKeysState};

/// What the picker shows, and what it asks of the form's caller.
pub struct KeyPicker<'a> {
    pub region: &'a str,
    /// `None`: not asked yet (the caller asks when the form opens).
    pub keys: Option<&'a RegionKeysState>,
    /// The search field's label (one per region when the targets span several).
    pub search_label: String,
    /// Set when the user asks to list the keys again after a failure.
    pub retry: bool,
}

/// Shows the picker; picking a key writes its ID into `key_id`.
pub fn key_picker_ui(
    ui: &mut egui::Ui,
    picker: &mut KeyPicker<'_>,
    key_id: &mut String,
    search: &mut String,
) {
    let region = picker.region;
    match picker.keys {
        None | Some(RegionKeysState::Loading(_)) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Listing the keys of {region}…"));
            });
        }
        Some(RegionKeysState::Failed(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error);
            if ui.button("List the keys again").clicked() {
                picker.retry = true;
            }
        }
        Some(RegionKeysState::Loaded(keys)) => {
            alias_hint_ui(ui, keys, key_id);
            ui.label(format!("Keys in {region} ({})", keys.len()));
            ui.horizontal(|ui| {
                let label = ui.label(picker.search_label.as_str());
                ui.add(
                    egui::TextEdit::singleline(search)
                        .hint_text("key ID or alias")
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
            });
            egui::ScrollArea::vertical()
                .id_salt(("key picker", region))
                .max_height(220.0)
                .show(ui, |ui| {
                    let mut shown = 0;
                    for key in keys.iter().filter(|k| k.matches(search)) {
                        shown += 1;
                        key_row_ui(ui, key, key_id);
                    }
                    if shown == 0 {
                        ui.weak("No key matches the search.");
                    }
                });
        }
    }
}

/// One key: a selectable entry (disabled when unusable) and, for an unusable key, why.
fn key_row_ui(ui: &mut egui::Ui, key: &RegionKey, key_id: &mut String) {
    let health = &key.health;
    let text = format!(
        "{}  {}  {} · {} · {} · {}",
        health.alias.as_deref().unwrap_or("(no alias)"),
        key.key_id(),
        health.state.as_deref().unwrap_or("?"),
        health.key_spec.as_deref().unwrap_or("?"),
        health.origin.as_deref().unwrap_or("?"),
        health.protection_level.as_deref().unwrap_or("?"),
    );
    let selected = key_id.trim() == key.key_id();
    // Wrapped, one entry under the other, so a long line never widens the panel.
    let entry = egui::Button::selectable(selected, text).wrap();
    if ui.add_enabled(key.usable(), entry).clicked() {
        *key_id = key.key_id().to_owned();
    }
    if let Some(reason) = &key.reason {
        ui.weak(format!("Not usable: {reason}"));
    }
}

/// OSS takes a key ID, not an alias (the form's validation refuses one); when the typed
/// alias names a listed key, offer that key's ID instead.
fn alias_hint_ui(ui: &mut egui::Ui, keys: &[RegionKey], key_id: &mut String) {
    let typed = key_id.trim();
    let alias = typed
        .rsplit_once(":alias/")
        .map(|(_, name)| name)
        .or_else(|| typed.strip_prefix("alias/"));
    let Some(alias) = alias else {
        return;
    };
    match keys.iter().find(|k| k.is_named(alias)) {
        Some(key) if key.usable() => {
            let id = key.key_id().to_owned();
            if ui
                .button(format!("Use {id} (the key alias/{alias} names)"))
                .clicked()
            {
                *key_id = id;
            }
        }
        Some(key) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!(
                    "alias/{alias} names {}, which cannot be used: {}",
                    key.key_id(),
                    key.reason.as_deref().unwrap_or_default()
                ),
            );
        }
        None => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("No key of this region has the alias alias/{alias}."),
            );
        }
    }
}
