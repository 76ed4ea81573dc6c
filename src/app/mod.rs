//! The app layer: state and commands shared by the desktop UI and the CLI; no egui types.
pub mod export;
pub mod keystore;
pub mod profile;
