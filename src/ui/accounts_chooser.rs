//! "All profiles…": which profiles to audit at once (every profile is ticked at first, as
//! the CLI's `--all-profiles`); the audit starts when the window's button is pressed.

use std::collections::BTreeSet;

use crate::app::command::{Command, CommandSender};
use crate::app::state::AppState;

/// The window's own state: open or not, and the profiles left out.
#[derive(Debug, Default)]
pub struct AccountsChooser {
    open: bool,
    /// Profiles unticked (new profiles start ticked).
    left_out: BTreeSet<String>,
}

impl AccountsChooser {
    pub fn open(&mut self) {
        self.open = true;
    }

    pub fn ui(&mut self, ctx: &egui::Context, state: &AppState, commands: &CommandSender) {
        if !self.open {
            return;
        }
        let mut open = true;
        let mut start = false;
        egui::Window::new("Audit several profiles")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                ui.label("Each profile is audited with its own endpoint, region and credentials.");
                for profile in &state.profiles.profiles {
                    let mut ticked = !self.left_out.contains(&profile.name);
                    let response = ui.checkbox(&mut ticked, format!("Audit {}", profile.name));
                    if response.changed() {
                        if ticked {
                            self.left_out.remove(&profile.name);
                        } else {
                            self.left_out.insert(profile.name.clone());
                        }
                    }
                }
                let count = self.chosen(state).len();
                if ui
                    .add_enabled(
                        count > 0,
                        egui::Button::new(format!("Audit {count} profiles")),
                    )
                    .clicked()
                {
                    start = true;
                }
            });
        if start {
            commands.send(Command::AuditProfiles {
                names: self.chosen(state),
            });
            open = false;
        }
        self.open = open;
    }

    fn chosen(&self, state: &AppState) -> Vec<String> {
        state
            .profiles
            .profiles
            .iter()
            .filter(|p| !self.left_out.contains(&p.name))
            .map(|p| p.name.clone())
            .collect()
    }
}
