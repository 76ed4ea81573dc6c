//! A helper of `benches/run.py` (the `accounts` item), not a benchmark: stores profile
//! secrets in the OS keyring exactly as the app does (`KeyringStore`), so that profile runs
//! of the CLI find them. A profile run reads its secret from the keyring only, and the CLI
//! has no command that writes one.
//!
//! `cargo bench --bench keyring_put -- --put` reads `PROFILE<TAB>SECRET` lines from stdin
//! (secrets never on the command line). run.py starts its own throw-away Secret Service
//! first. Without `--put` (as `cargo test --all-targets` runs every bench) it does nothing.

use std::io::BufRead as _;

use ossguard::app::keystore::{KeyringStore, Keystore as _, ProfileSecret};

fn main() -> std::process::ExitCode {
    if !std::env::args().any(|a| a == "--put") {
        println!("keyring_put: nothing to do without --put (a helper of benches/run.py)");
        return std::process::ExitCode::SUCCESS;
    }
    if let Err(e) = KeyringStore::probe() {
        eprintln!("keyring_put: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let mut stored = 0;
    for line in std::io::stdin().lock().lines() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("keyring_put: reading stdin: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let Some((profile, secret)) = line.split_once('\t') else {
            continue;
        };
        if let Err(e) = KeyringStore.set(profile, &ProfileSecret::new(secret, None)) {
            eprintln!("keyring_put: profile {profile:?}: {e}");
            return std::process::ExitCode::FAILURE;
        }
        stored += 1;
    }
    println!("keyring_put: stored {stored} secrets");
    std::process::ExitCode::SUCCESS
}
