//! "All profiles": one line per profile above the table with its account ID, its refresh's
//! progress, its counts, and what went wrong with it (the other profiles still fill in).

use crate::app::state::{AccountStatus, AppState, Connection};
use crate::app::view::thousands;

pub fn accounts_ui(ui: &mut egui::Ui, state: &AppState) {
    egui::Grid::new("accounts")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for account in &state.accounts {
                account_row_ui(ui, state, account);
                ui.end_row();
            }
        });
}

fn account_row_ui(ui: &mut egui::Ui, state: &AppState, account: &AccountStatus) {
    ui.strong(&account.profile);
    match &account.account_id {
        Some(Ok(id)) => ui.label(format!("account {id}")),
        Some(Err(_)) => ui.weak("account unknown"),
        None => ui.weak("account …"),
    };
    ui.label(progress_text(account));
    let counts = state.account_counts(&account.profile);
    ui.horizontal(|ui| {
        if account.failed() {
            ui.colored_label(ui.visuals().error_fg_color, "failed");
        } else {
            ui.label(format!(
                "{} buckets · {} not encrypted · {} unknown",
                thousands(counts.buckets),
                thousands(counts.not_encrypted),
                thousands(counts.unknown)
            ));
        }
        if let Some(error) = account.error() {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{}: {error}", account.profile),
            );
        }
    });
}

fn progress_text(account: &AccountStatus) -> String {
    if account.connection == Connection::Connecting {
        return "Connecting…".to_owned();
    }
    let Some(refresh) = &account.refresh else {
        return String::new();
    };
    let (n, total) = (thousands(refresh.loaded), thousands(refresh.listed));
    if refresh.is_running() && !refresh.listing_done {
        format!("Listing buckets… {total}")
    } else if refresh.is_running() {
        format!("Reading rules: {n} of {total}")
    } else if refresh.cancelled {
        format!("Cancelled at {n} of {total}")
    } else if refresh.error.is_some() {
        "Listing failed".to_owned()
    } else {
        format!("Read {n} of {total} rules")
    }
}
