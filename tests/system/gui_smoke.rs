//! Smoke test of the real binary on the X display the test command provides (`xvfb-run`):
//! start `ossguard` with no subcommand straight into the demo, wait for its window, take a
//! screenshot and check that something was drawn, then stop the process.
//!
//! Needs `DISPLAY`, `xwininfo` (x11-utils) and ImageMagick (`import`, `convert`). With
//! `OSSGUARD_REQUIRE_DISPLAY=1` their absence fails the test; otherwise it skips with a notice.
//! `OSSGUARD_SAVE_SCREENSHOT=<path>` also copies the screenshot there (how
//! `assets/screenshot.png` is refreshed).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the app if the test fails half-way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn tool_works(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Whether to run: a display and the tools are there, or the test must fail because they are
/// required.
fn display_or_skip() -> bool {
    let required = std::env::var("OSSGUARD_REQUIRE_DISPLAY").is_ok_and(|v| v == "1");
    let problem = if std::env::var_os("DISPLAY").is_none() {
        Some("DISPLAY is not set (run under xvfb-run)".to_owned())
    } else {
        ["xwininfo", "import", "convert"]
            .into_iter()
            .find(|t| !tool_works(t, "-version"))
            .map(|t| format!("{t} is not installed (x11-utils, imagemagick)"))
    };
    match problem {
        None => true,
        Some(p) if required => panic!("OSSGUARD_REQUIRE_DISPLAY=1 but {p}"),
        Some(p) => {
            eprintln!("skipping the GUI smoke test: {p}");
            false
        }
    }
}

/// The id of the mapped top-level window titled "ossguard", if any.
fn find_window() -> Option<String> {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.contains("\"ossguard\"") && !l.contains(" 1x1+"))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_owned)
}

/// Distinct colours in an image: a blank window has one or two, rendered text many.
fn colour_count(image: &Path) -> usize {
    let out = Command::new("convert")
        .arg(image)
        .args(["-format", "%k", "info:"])
        .output()
        .expect("convert runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

fn screenshot(window: &str, path: &Path) -> bool {
    Command::new("import")
        .args(["-window", window])
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn the_binary_opens_a_window_and_draws_the_demo() {
    if !display_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let log = std::fs::File::create(dir.path().join("app.log")).expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .env("OSSGUARD_CONFIG_DIR", dir.path().join("config"))
        .env("OSSGUARD_DATA_DIR", dir.path().join("data"))
        .env("OSSGUARD_DEMO", "1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the binary starts");
    let mut app = Running(child);
    let app_log = || std::fs::read_to_string(dir.path().join("app.log")).unwrap_or_default();

    let start = Instant::now();
    let window = loop {
        if let Some(window) = find_window() {
            break window;
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            panic!(
                "ossguard exited with {status} before opening a window:\n{}",
                app_log()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no window after 60 s:\n{}",
            app_log()
        );
        std::thread::sleep(Duration::from_millis(250));
    };

    // Keep taking screenshots until the demo table has been drawn (many colours), or time out.
    let shot = dir.path().join("screenshot.png");
    let mut colours = 0;
    let drawn = Instant::now();
    while drawn.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(500));
        if !screenshot(&window, &shot) {
            screenshot("root", &shot);
        }
        colours = colour_count(&shot);
        // Text, badges and the striped table need far more than the dozen colours of a
        // blank or half-drawn window; give the demo a moment to fill the table.
        if colours > 200 && drawn.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    assert!(
        app.0.try_wait().ok().flatten().is_none(),
        "ossguard exited early:\n{}",
        app_log()
    );
    assert!(
        colours > 200,
        "the window looks blank ({colours} colours):\n{}",
        app_log()
    );
    if let Some(target) = std::env::var_os("OSSGUARD_SAVE_SCREENSHOT") {
        std::fs::copy(&shot, &target).expect("copy the screenshot");
    }
}
