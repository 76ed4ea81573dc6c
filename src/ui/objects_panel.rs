//! The detail panel's "Objects" section: scan a bucket's objects (with a prefix) in the
//! background and show the totals per encryption class and per storage class as bars with
//! their numbers, and how many objects do not follow the bucket's rule. The panel owns its
//! field; the scan's totals live in [`AppState::objects_scan`].

use egui::{Rect, Role, Sense, WidgetInfo, vec2};

use crate::app::command::{Command, CommandSender};
use crate::app::objects_scan::ObjectsScan;
use crate::app::state::{AppState, BucketRow};
use crate::app::view::{Category, human_bytes, object_count};
use crate::core::objects::counters::Tally;
use crate::core::sse::{EncryptionState, SseRule};

use super::reencrypt_preview::PreviewWindow;
use super::reencrypt_view::{interrupted_ui, job_ui, reencrypt_button_ui};
use super::widgets::category_color;

const BAR_SIZE: egui::Vec2 = vec2(140.0, 12.0);
const NAME_WIDTH: f32 = 150.0;

/// What the user typed and chose; kept while other buckets are browsed.
#[derive(Debug, Default)]
pub struct ObjectsPanel {
    prefix: String,
    preview: PreviewWindow,
}

impl ObjectsPanel {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        row: &BucketRow,
        commands: &CommandSender,
    ) {
        egui::CollapsingHeader::new("Objects")
            .default_open(true)
            .show(ui, |ui| self.contents_ui(ui, state, row, commands));
    }

    fn contents_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        row: &BucketRow,
        commands: &CommandSender,
    ) {
        let scan = state
            .objects_scan
            .as_ref()
            .filter(|s| s.bucket == row.bucket.name);
        let running = scan.is_some_and(ObjectsScan::is_running);
        ui.horizontal(|ui| {
            let label = ui.label("Prefix");
            ui.add_enabled(
                !running,
                egui::TextEdit::singleline(&mut self.prefix)
                    .hint_text("all objects")
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
            if running {
                if ui.button("Cancel scan").clicked() {
                    commands.send(Command::CancelObjectsScan);
                }
            } else if ui
                .add_enabled(state.is_connected(), egui::Button::new("Scan objects"))
                .on_hover_text("List the objects, then read each one's encryption (HeadObject)")
                .clicked()
            {
                commands.send(Command::ScanObjects {
                    bucket: row.bucket.name.clone(),
                    prefix: self.prefix.clone(),
                });
            }
        });
        if let Some(scan) = scan {
            scan_result_ui(ui, scan);
            reencrypt_button_ui(ui, state, scan, commands);
        }
        if let Some(preview) = &state.objects_preview {
            self.preview.ui(ui.ctx(), state, row, preview, commands);
        }
        interrupted_ui(ui, state, row, commands);
        if let Some(job) = &state.objects_job {
            ui.separator();
            job_ui(ui, row, job, commands);
        }
    }
}

fn scan_result_ui(ui: &mut egui::Ui, scan: &ObjectsScan) {
    let counters = &scan.counters;
    let total = counters.total;
    let so_far = tally_text(total);
    let under = if scan.prefix.is_empty() {
        String::new()
    } else {
        format!(" under {:?}", scan.prefix)
    };
    if scan.is_running() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Scanning{under}: {so_far} so far"));
        });
    } else if let Some(error) = &scan.error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("The scan failed: {error}"),
        );
        return;
    } else if scan.cancelled {
        ui.label(format!("Scan cancelled{under}: {so_far} counted"));
    } else {
        ui.label(format!("Scanned{under}: {so_far}"));
    }
    if counters.errors > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{} could not be read (HeadObject failed)",
                object_count(counters.errors)
            ),
        );
    }
    let rule = scan
        .rule
        .as_ref()
        .map_or_else(|| "no rule".to_owned(), SseRule::to_string);
    ui.label(format!(
        "Not matching the rule ({rule}): {}",
        tally_text(counters.not_matching_rule)
    ));
    ui.strong("By encryption");
    for (sse, tally) in counters.encryption_classes() {
        let state = match &sse {
            Some(rule) => EncryptionState::Configured(rule.clone()),
            None => EncryptionState::NotConfigured,
        };
        let category = Category::of(Some(&state));
        let name = sse.map_or_else(|| "Not encrypted".to_owned(), |r| r.to_string());
        let color = category_color(category, ui.visuals());
        bar_ui(ui, &name, tally, total, color);
    }
    ui.strong("By storage class");
    let color = ui.visuals().selection.bg_fill;
    for (class, tally) in &counters.by_storage_class {
        bar_ui(ui, class.as_str(), *tally, total, color);
    }
}

fn tally_text(tally: Tally) -> String {
    format!(
        "{}, {}",
        object_count(tally.objects),
        human_bytes(tally.bytes)
    )
}

/// One class: its name, a bar of its share of the objects, and its numbers; the whole row
/// is one accessible item labelled "name: n objects, size".
fn bar_ui(ui: &mut egui::Ui, name: &str, tally: Tally, total: Tally, color: egui::Color32) {
    let description = format!("{name}: {}", tally_text(tally));
    let numbers = tally_text(tally);
    let font = egui::TextStyle::Body.resolve(ui.style());
    let numbers_width = ui
        .painter()
        .layout_no_wrap(numbers.clone(), font.clone(), egui::Color32::WHITE)
        .size()
        .x;
    // The bar gives way first, so that the row never widens the detail panel.
    let bar_width =
        (ui.available_width() - NAME_WIDTH - 8.0 - numbers_width).clamp(40.0, BAR_SIZE.x);
    let size = vec2(
        NAME_WIDTH + bar_width + 8.0 + numbers_width,
        BAR_SIZE.y + 6.0,
    );
    let (outer, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(outer);
    let text_color = ui.visuals().text_color();
    // Cut with "…" before the bar (a CMK's ID is long); the hover text has it whole.
    let mut job =
        egui::text::LayoutJob::simple_singleline(name.to_owned(), font.clone(), text_color);
    job.wrap = egui::text::TextWrapping::truncate_at_width(NAME_WIDTH - 8.0);
    let galley = painter.layout_job(job);
    painter.galley(
        egui::pos2(outer.left(), outer.center().y - galley.size().y / 2.0),
        galley,
        text_color,
    );
    let rect = Rect::from_min_size(
        egui::pos2(
            outer.left() + NAME_WIDTH,
            outer.center().y - BAR_SIZE.y / 2.0,
        ),
        vec2(bar_width, BAR_SIZE.y),
    );
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let share = tally.objects as f32 / total.objects.max(1) as f32;
    let filled = Rect::from_min_size(rect.min, vec2(rect.width() * share, rect.height()));
    painter.rect_filled(filled, 2.0, color);
    painter.text(
        egui::pos2(rect.right() + 8.0, outer.center().y),
        egui::Align2::LEFT_CENTER,
        numbers,
        font,
        ui.visuals().weak_text_color(),
    );
    response.widget_info(|| WidgetInfo::labeled(Role::ProgressIndicator, true, &description));
    response.on_hover_text(&description);
}
