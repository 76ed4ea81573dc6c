//! The overview above the table: a chip per encryption state (a click filters the table by
//! it), coverage per region as stacked bars, and when rules were last read. Both follow a
//! running refresh: they are rebuilt whenever the rows change.

use egui::{Color32, Rect, Role, Sense, WidgetInfo, vec2};

use crate::app::overview::RegionCoverage;
use crate::app::state::AppState;
use crate::app::view::{Category, TableView, thousands};

use super::widgets::category_color;

/// The order segments are stacked in: problems first, so they catch the eye.
const STACK: [Category; 7] = [
    Category::NotEncrypted,
    Category::Unknown,
    Category::Pending,
    Category::Aes256,
    Category::Kms,
    Category::KmsSm4,
    Category::Sm4,
];

const BAR_SIZE: egui::Vec2 = vec2(110.0, 12.0);
/// Room for a region id and its count, such as "ap-southeast-1 14/16".
const LABEL_WIDTH: f32 = 150.0;
/// Space after a bar, before the next region's name.
const GAP: f32 = 28.0;

pub fn overview_ui(ui: &mut egui::Ui, state: &AppState, table: &mut TableView) {
    if state.is_all_profiles() {
        super::accounts_strip::accounts_ui(ui, state);
    }
    ui.horizontal_wrapped(|ui| {
        chips_ui(ui, table);
        let last = table.overview().last_read.map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        });
        ui.separator();
        let text = match last {
            _ if state.refresh_running() => "Refreshing…".to_owned(),
            Some(time) => format!("Last refreshed {time}"),
            None => "Not refreshed yet".to_owned(),
        };
        let label = egui::Label::new(egui::RichText::new(text).weak())
            .wrap_mode(egui::TextWrapMode::Extend);
        ui.add(label)
            .on_hover_text("When the newest rule was read from OSS");
    });
    // Folded away by default in a low window, where the table needs the height; egui
    // remembers the choice.
    egui::CollapsingHeader::new("Coverage by region")
        .default_open(ui.available_height() >= 450.0)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for region in &table.overview().regions {
                    region_bar_ui(ui, region);
                }
            });
        });
}

/// "All" and one chip per state that has rows ("not encrypted" always: it is what an
/// auditor looks for). A click filters the table; clicking the active chip shows all again.
fn chips_ui(ui: &mut egui::Ui, table: &mut TableView) {
    let counts = table.counts().clone();
    let all = format!("All {}", thousands(counts.total));
    if ui
        .selectable_label(table.state_filter.is_none(), all)
        .clicked()
    {
        table.state_filter = None;
    }
    for category in Category::ALL {
        let n = counts.get(category);
        if n == 0 && category != Category::NotEncrypted {
            continue;
        }
        let active = table.state_filter == Some(category);
        let text = if category == Category::NotEncrypted {
            format!(
                "{} of {} not encrypted",
                thousands(n),
                thousands(counts.total)
            )
        } else {
            format!("{} {}", thousands(n), category.summary_label())
        };
        let text = egui::RichText::new(text).color(category_color(category, ui.visuals()));
        if ui
            .selectable_label(active, text)
            .on_hover_text("Show only these buckets")
            .clicked()
        {
            table.state_filter = if active { None } else { Some(category) };
        }
    }
}

/// One region as one fixed-size item: "name encrypted/total" as one label, then its stacked
/// bar, then a gap. Name and count are one text, and the bar follows it, so a count can never
/// be read as the next region's (a count at the item's right edge sat next to the following
/// region's name).
fn region_bar_ui(ui: &mut egui::Ui, region: &RegionCoverage) {
    let description = region.describe();
    let size = vec2(LABEL_WIDTH + BAR_SIZE.x + GAP, BAR_SIZE.y + 6.0);
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    ui.allocate_ui_with_layout(size, layout, |ui| {
        ui.set_min_size(size);
        let text = format!("{} {}/{}", region.region, region.encrypted(), region.total);
        let label = egui::Label::new(egui::RichText::new(text).weak())
            .wrap_mode(egui::TextWrapMode::Extend);
        let used = ui.add(label).rect.width();
        ui.add_space((LABEL_WIDTH - used - ui.spacing().item_spacing.x).max(0.0));
        bar_ui(ui, region, &description);
    });
}

/// The stacked bar: one segment per state, problems first.
fn bar_ui(ui: &mut egui::Ui, region: &RegionCoverage, description: &str) {
    let (rect, response) = ui.allocate_exact_size(BAR_SIZE, Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let total = region.total.max(1) as f32;
    let mut left = rect.left();
    for category in STACK {
        let n = region.get(category);
        if n == 0 {
            continue;
        }
        let width = rect.width() * n as f32 / total;
        let segment = Rect::from_min_size(egui::pos2(left, rect.top()), vec2(width, rect.height()));
        let color: Color32 = category_color(category, ui.visuals());
        painter.rect_filled(segment, 0.0, color);
        left += width;
    }
    response.widget_info(|| WidgetInfo::labeled(Role::ProgressIndicator, true, description));
    response.on_hover_text(description);
}
