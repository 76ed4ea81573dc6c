//! Issue #6, item 3: with 10,000 buckets loaded, the CPU time of one frame of the desktop app,
//! and the time to re-filter and re-sort the table. Goals: at most 4 ms per frame and 20 ms
//! per re-filter.
//!
//! Three measurements, all on this thread, timed by the thread's own CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`, so time stolen by other processes does not count):
//! 1. **Frames as eframe runs them**: a plain `egui::Context` (no AccessKit, as in the real app
//!    unless a screen reader is on) runs `App::logic` + `App::ui` inside `run_ui`, exactly as
//!    `eframe::native::epi_integration` does, then `tessellate`s the shapes. Not counted: the
//!    GPU upload and draw, and winit. Scenarios: idle, scrolling (a wheel event every frame),
//!    a bucket selected (detail panel open), and a refresh streaming in (2,000 answers applied
//!    before each frame, the app's `MAX_EVENTS_PER_FRAME`).
//! 2. **Re-filter and re-sort**: `TableView::update` on the same 10,000 rows for several
//!    filters and for every column in both directions (each call a full recompute).
//! 3. **As a user triggers them** (egui_kittest, which always builds the AccessKit tree, so
//!    these frames are dearer than the real app's): the frames from a keystroke in Filter, or a
//!    click on a column header, until the table shows the new order; and a step with the
//!    History window open over a change log of 10,000 changes (informative, no goal).
//!
//! `cargo bench --bench ui_frame [-- --quick --json]`. Nothing is asserted.

use std::time::{Duration, Instant};

use eframe::App as _;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::environment::AppEnvironment;
use ossguard::app::event::{Event, RequestId, SessionId};
use ossguard::app::profile::Profile;
use ossguard::app::runtime::RuntimeHandle;
use ossguard::app::state::AppState;
use ossguard::app::view::{Category, SortColumn, TableView};
use ossguard::core::model::{Bucket, BucketName};
use ossguard::core::sse::{EncryptionState, ReadFailure, SseRule};
use ossguard::ui::OssGuardApp;

const ROWS: usize = 10_000;
const REGIONS: [&str; 4] = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"];
/// The app's default window size (`ui::run`).
const WINDOW: egui::Vec2 = egui::vec2(1280.0, 780.0);
const EVENTS_PER_FRAME: usize = ossguard::ui::app::MAX_EVENTS_PER_FRAME;
const FRAME_GOAL_MS: f64 = 4.0;
const REFILTER_GOAL_MS: f64 = 20.0;

// ------------------------------------------------------------------ clocks and statistics

/// CPU time this thread has run, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`, exact to the
/// nanosecond; `/proc/thread-self/schedstat` only moves at scheduler ticks on some kernels).
fn thread_cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

/// Runs `f` and returns its result with the thread CPU milliseconds it took.
fn cpu_ms<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let before = thread_cpu_ns();
    let out = f();
    (out, (thread_cpu_ns() - before) as f64 / 1e6)
}

#[derive(Debug, Clone, serde::Serialize)]
struct Stats {
    n: usize,
    median_ms: f64,
    p95_ms: f64,
    max_ms: f64,
}

fn stats(mut samples: Vec<f64>) -> Stats {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).copied().unwrap_or(f64::NAN)
    };
    Stats {
        n: samples.len(),
        median_ms: at(0.5),
        p95_ms: at(0.95),
        max_ms: samples.last().copied().unwrap_or(f64::NAN),
    }
}

// ------------------------------------------------------------------ the 10,000 rows

fn bucket(n: usize) -> Bucket {
    let region = REGIONS[n % REGIONS.len()];
    Bucket {
        name: BucketName::parse(&format!("seed-{:05}", n + 1)).expect("valid bucket name"),
        region: region.to_owned(),
        location: format!("oss-{region}"),
        extranet_endpoint: format!("oss-{region}.aliyuncs.com"),
        intranet_endpoint: format!("oss-{region}-internal.aliyuncs.com"),
        creation_date: format!(
            "20{:02}-{:02}-{:02}T08:00:00.000Z",
            18 + n % 8,
            1 + n % 12,
            1 + n % 28
        ),
        storage_class: "Standard".to_owned(),
    }
}

/// Every kind of row: the dev server's seed pattern, plus one in 97 unreadable.
fn encryption(n: usize) -> EncryptionState {
    if n.is_multiple_of(97) {
        return EncryptionState::Unknown(ReadFailure {
            code: "AccessDenied".to_owned(),
            message: "You have no right to access this bucket.".to_owned(),
            request_id: Some(format!("6551A2B3C4D5E6F7{n:08X}")),
            hint: "The AccessKey lacks oss:GetBucketEncryption on this bucket.".to_owned(),
        });
    }
    match n % 6 {
        0 => EncryptionState::NotConfigured,
        1 => EncryptionState::Configured(SseRule::Aes256),
        2 => EncryptionState::Configured(SseRule::Kms {
            key_id: None,
            sm4_data: false,
        }),
        3 => EncryptionState::Configured(SseRule::Kms {
            key_id: Some(format!("key-seed{:05}", n + 1)),
            sm4_data: false,
        }),
        4 => EncryptionState::Configured(SseRule::Kms {
            key_id: None,
            sm4_data: true,
        }),
        _ => EncryptionState::Configured(SseRule::Sm4),
    }
}

fn profile() -> Profile {
    Profile::new(
        "bench",
        "https://oss-cn-hangzhou.aliyuncs.com",
        "cn-hangzhou",
        "LTAI5tBenchKey000001",
    )
}

/// Lists 10,000 buckets (ten pages, as ListBuckets sends them) and applies every rule, as a
/// finished refresh leaves the state. Returns the session for later events.
fn load(state: &mut AppState) -> SessionId {
    let session = state.begin_session(profile());
    let request = state.begin_refresh();
    for page in 0..ROWS.div_ceil(1000) {
        let end = ((page + 1) * 1000).min(ROWS);
        state.apply(Event::BucketsListed {
            session,
            request,
            buckets: (page * 1000..end).map(bucket).collect(),
            complete: end == ROWS,
        });
    }
    for n in 0..ROWS {
        state.apply(Event::EncryptionLoaded {
            session,
            request,
            bucket: bucket(n).name,
            state: encryption(n),
        });
    }
    state.apply(Event::RefreshFinished {
        session,
        request,
        cancelled: false,
    });
    session
}

/// 2,000 answers of a running refresh, starting at row `from`.
fn answers(session: SessionId, request: RequestId, from: usize) -> Vec<Event> {
    (from..from + EVENTS_PER_FRAME)
        .map(|i| i % ROWS)
        .map(|n| Event::EncryptionLoaded {
            session,
            request,
            bucket: bucket(n).name,
            state: encryption(n + 1),
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

// ------------------------------------------------------------------ 1. frames as eframe runs them

/// The app in a plain egui context, driven the way eframe drives it.
struct Window {
    ctx: egui::Context,
    frame: eframe::Frame,
    app: OssGuardApp,
    time: f64,
    pointer: egui::Pos2,
}

impl Window {
    fn new(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) -> Self {
        let ctx = egui::Context::default();
        let env = AppEnvironment::for_tests(dir);
        let app = OssGuardApp::new(&ctx, RuntimeHandle::new(runtime.handle().clone()), env);
        Self {
            ctx,
            frame: eframe::Frame::_new_kittest(),
            app,
            time: 0.0,
            pointer: egui::pos2(WINDOW.x / 2.0, WINDOW.y / 2.0),
        }
    }

    /// One frame: logic + ui in `run_ui`, then tessellation. Returns the primitives' count.
    fn frame(&mut self, events: Vec<egui::Event>) -> usize {
        self.time += 1.0 / 60.0;
        let mut input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)),
            time: Some(self.time),
            predicted_dt: 1.0 / 60.0,
            focused: true,
            events,
            ..Default::default()
        };
        if let Some(viewport) = input.viewports.get_mut(&egui::ViewportId::ROOT) {
            viewport.native_pixels_per_point = Some(1.0);
        }
        let (app, frame) = (&mut self.app, &mut self.frame);
        let mut output = self.ctx.run_ui(input, |ui| {
            app.logic(ui.ctx(), frame);
            app.ui(ui, frame);
        });
        // No GPU here to upload font textures to: drop them deliberately.
        output.textures_delta.clear();
        self.ctx
            .tessellate(output.shapes, output.pixels_per_point)
            .len()
    }

    fn frames(
        &mut self,
        count: usize,
        mut events: impl FnMut(&mut Self) -> Vec<egui::Event>,
    ) -> Vec<f64> {
        (0..count)
            .map(|_| {
                let input = events(self);
                cpu_ms(|| self.frame(input)).1
            })
            .collect()
    }

    fn click(&mut self, at: egui::Pos2) {
        let button = |pressed| egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        self.pointer = at;
        self.frame(vec![egui::Event::PointerMoved(at)]);
        self.frame(vec![button(true)]);
        self.frame(vec![button(false)]);
        self.frame(Vec::new());
    }
}

#[derive(serde::Serialize)]
struct FrameResults {
    load_ms: f64,
    idle: Stats,
    scroll: Stats,
    selected: Option<Stats>,
    streaming: Stats,
    primitives: usize,
}

fn eframe_frames(quick: bool) -> FrameResults {
    let frames = if quick { 60 } else { 300 };
    let runtime = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut window = Window::new(&runtime, dir.path());
    let started = Instant::now();
    while !window.app.state().started {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the app did not start"
        );
        window.frame(Vec::new());
        std::thread::sleep(Duration::from_millis(5));
    }
    let (session, load_ms) = cpu_ms(|| load(&mut window.app.controller_mut().state));
    for _ in 0..30 {
        window.frame(Vec::new()); // warm-up: fonts, galley caches, the table's first layout
    }
    let primitives = window.frame(Vec::new());
    let idle = window.frames(frames, |_| Vec::new());

    let center = egui::pos2(WINDOW.x * 0.4, WINDOW.y * 0.6);
    window.frame(vec![egui::Event::PointerMoved(center)]);
    let scroll = window.frames(frames, |_| {
        vec![egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -60.0),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        }]
    });

    // Select a row with a real click: scan down the name column until one is selected.
    let mut selected = None;
    for y in (100..400).step_by(12) {
        window.click(egui::pos2(150.0, y as f32));
        if window.app.view().selection.primary.is_some() {
            for _ in 0..10 {
                window.frame(Vec::new());
            }
            selected = Some(stats(window.frames(frames, |_| Vec::new())));
            break;
        }
    }

    // A refresh streaming in: every frame first applies 2,000 answers, as `pump` would.
    let mut streaming = Vec::new();
    let refreshes = if quick { 2 } else { 8 };
    for _ in 0..refreshes {
        let request = window.app.controller_mut().state.begin_refresh();
        for chunk in 0..ROWS / EVENTS_PER_FRAME {
            let batch = answers(session, request, chunk * EVENTS_PER_FRAME);
            let (_, ms) = cpu_ms(|| {
                let state = &mut window.app.controller_mut().state;
                for event in batch {
                    state.apply(event);
                }
                window.frame(Vec::new())
            });
            streaming.push(ms);
        }
        window
            .app
            .controller_mut()
            .state
            .apply(Event::RefreshFinished {
                session,
                request,
                cancelled: false,
            });
    }
    FrameResults {
        load_ms,
        idle: stats(idle),
        scroll: stats(scroll),
        selected,
        streaming: stats(streaming),
        primitives,
    }
}

// ------------------------------------------------------------------ 2. re-filter and re-sort

#[derive(serde::Serialize)]
struct TableResults {
    filter: Vec<(String, Stats)>,
    sort: Vec<(String, Stats)>,
    shown: Vec<(String, usize)>,
}

fn table_view(quick: bool) -> TableResults {
    let reps = if quick { 5 } else { 21 };
    let mut state = AppState::default();
    load(&mut state);
    let mut view = TableView::default();
    view.update(&state);
    let filters: [(&str, &str, Option<Category>); 6] = [
        ("text \"seed-0042\"", "seed-0042", None),
        ("text \"kms\"", "kms", None),
        ("text \"cn-beijing\"", "cn-beijing", None),
        ("text \"no-such-bucket\"", "no-such-bucket", None),
        ("state \"None\"", "", Some(Category::NotEncrypted)),
        ("none (clear the filter)", "", None),
    ];
    let mut filter = Vec::new();
    let mut shown = Vec::new();
    for (name, text, category) in filters {
        let mut samples = Vec::new();
        for _ in 0..reps {
            // Another filter first, so that every timed call recomputes.
            view.filter_text = "seed-".into();
            view.state_filter = None;
            view.update(&state);
            view.filter_text = text.into();
            view.state_filter = category;
            samples.push(cpu_ms(|| view.update(&state)).1);
        }
        shown.push((name.to_owned(), view.indices().len()));
        filter.push((name.to_owned(), stats(samples)));
    }
    view.filter_text.clear();
    view.state_filter = None;
    let mut sort = Vec::new();
    for column in SortColumn::ALL {
        let title = column.title();
        for ascending in [true, false] {
            let mut samples = Vec::new();
            for _ in 0..reps {
                view.sort = if column == SortColumn::Name {
                    SortColumn::Region
                } else {
                    SortColumn::Name
                };
                view.update(&state);
                view.sort = column;
                view.ascending = ascending;
                samples.push(cpu_ms(|| view.update(&state)).1);
            }
            let direction = if ascending { "asc" } else { "desc" };
            sort.push((format!("{title} {direction}"), stats(samples)));
        }
    }
    TableResults {
        filter,
        sort,
        shown,
    }
}

// ------------------------------------------------------------------ 3. as a user triggers them

#[derive(serde::Serialize)]
struct KittestResults {
    idle_step: Stats,
    keystroke: Stats,
    header_click: Stats,
    history_step: Stats,
}

/// Changes in the log for the History window figure.
const LOGGED_CHANGES: usize = 10_000;

/// A change log of [`LOGGED_CHANGES`] changes, in bulk changes of five buckets, written to
/// the app's data folder under `dir`.
fn write_change_log(dir: &std::path::Path) {
    use ossguard::app::changelog::{ChangeKind, ChangeRecord, LoggedState, Phase};
    let mut lines = String::new();
    for i in 0..LOGGED_CHANGES {
        let time = chrono::DateTime::from_timestamp(1_700_000_000 + i as i64, 0).expect("time");
        let record = ChangeRecord {
            id: format!("{}-{i:08x}", time.format("%Y%m%dT%H%M%S%.3fZ")),
            phase: Phase::Done,
            time,
            profile: "bench".into(),
            access_key_id: "LTAI5tBenchKey000001".into(),
            bucket: bucket(i % ROWS).name.to_string(),
            region: REGIONS[i % REGIONS.len()].into(),
            kind: ChangeKind::Put,
            before: LoggedState::NoRule,
            after: LoggedState::from_rule(Some(&SseRule::Aes256)),
            request_id: None,
            written: true,
            verified: true,
            error: None,
            undo_of: None,
            batch: Some(format!("bulk-{:05}", i / 5)),
            forced: false,
            checks_skipped: false,
            objects_job: None,
            account_id: None,
        };
        lines += &serde_json::to_string(&record).expect("json");
        lines.push('\n');
    }
    let data_dir = AppEnvironment::for_tests(dir).data_dir;
    std::fs::create_dir_all(&data_dir).expect("data dir");
    std::fs::write(ossguard::app::changelog::log_path(&data_dir), lines).expect("change log");
}

/// Steps until the table was recomputed; the CPU time of all those frames.
fn until_recomputed(harness: &mut Harness<'static, OssGuardApp>) -> f64 {
    let before = harness.state().view().table.recomputed();
    let mut total = 0.0;
    for _ in 0..6 {
        total += cpu_ms(|| harness.step()).1;
        if harness.state().view().table.recomputed() != before {
            // The frame that shows the new order.
            total += cpu_ms(|| harness.step()).1;
            return total;
        }
    }
    f64::NAN
}

fn header_label(
    harness: &Harness<'static, OssGuardApp>,
    column: SortColumn,
    title: &str,
) -> String {
    let table = &harness.state().view().table;
    if table.sort != column {
        return title.to_owned();
    }
    format!(
        "{title} {}",
        if table.ascending { "(asc)" } else { "(desc)" }
    )
}

fn kittest_frames(quick: bool) -> KittestResults {
    let reps = if quick { 6 } else { 20 };
    let runtime = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let env = AppEnvironment::for_tests(dir.path());
    let handle = RuntimeHandle::new(runtime.handle().clone());
    let mut harness = Harness::builder()
        .with_size(WINDOW)
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |cc| OssGuardApp::new(&cc.egui_ctx, handle, env));
    let started = Instant::now();
    while !harness.state().state().started {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the app did not start"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    load(&mut harness.state_mut().controller_mut().state);
    for _ in 0..20 {
        harness.step();
    }
    let idle = (0..reps * 5).map(|_| cpu_ms(|| harness.step()).1).collect();

    harness.get_by_label("Filter").focus();
    harness.step();
    let mut keystroke = Vec::new();
    for i in 0..reps {
        if i % 2 == 0 {
            harness.get_by_label("Filter").type_text("7");
        } else {
            harness.key_press(egui::Key::Backspace);
        }
        keystroke.push(until_recomputed(&mut harness));
    }
    harness.key_press(egui::Key::Escape);
    harness.step();

    let columns = [
        (SortColumn::Encryption, "Encryption"),
        (SortColumn::KeyId, "CMK ID"),
        (SortColumn::Status, "Status"),
        (SortColumn::Name, "Name"),
    ];
    let mut header_click = Vec::new();
    for i in 0..reps {
        let (column, title) = columns[i % columns.len()];
        let label = header_label(&harness, column, title);
        harness.get_by_label(&label).click();
        header_click.push(until_recomputed(&mut harness));
    }

    // The History window over a long change log.
    write_change_log(dir.path());
    harness.get_by_label("History").click();
    let started = Instant::now();
    while harness
        .state()
        .state()
        .history
        .as_ref()
        .is_none_or(|h| h.records().len() < LOGGED_CHANGES)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the change log was not read"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..5 {
        harness.step();
    }
    let history_step = (0..reps * 5).map(|_| cpu_ms(|| harness.step()).1).collect();
    KittestResults {
        idle_step: stats(idle),
        keystroke: stats(keystroke),
        header_click: stats(header_click),
        history_step: stats(history_step),
    }
}

// ------------------------------------------------------------------ report

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo test --all-targets` runs this without `--bench`: then a quick smoke run.
    let quick = args.iter().any(|a| a == "--quick") || !args.iter().any(|a| a == "--bench");
    let json = args.iter().any(|a| a == "--json");

    let frames = eframe_frames(quick);
    let table = table_view(quick);
    let kittest = kittest_frames(quick);

    let mut rows = Vec::new();
    let mut row = |name: String, s: &Stats, goal: Option<f64>| {
        println!(
            "  {name:<58} median {:>7.3} ms  p95 {:>7.3} ms  max {:>7.3} ms  (n={})",
            s.median_ms, s.p95_ms, s.max_ms, s.n
        );
        rows.push(serde_json::json!({
            "name": name,
            "measured": format!("median {:.2} ms, p95 {:.2} ms", s.median_ms, s.p95_ms),
            "goal_ms": goal,
            "ok": goal.is_none_or(|g| s.p95_ms <= g),
            "stats": s,
        }));
    };
    println!(
        "ui_frame: {ROWS} buckets, window {}x{}, thread CPU time",
        WINDOW.x, WINDOW.y
    );
    println!(
        "  (applying the 10,000-bucket refresh to AppState took {:.1} ms)",
        frames.load_ms
    );
    row(
        "frame CPU, idle (eframe-like: logic + ui + tessellate)".into(),
        &frames.idle,
        Some(FRAME_GOAL_MS),
    );
    row(
        "frame CPU, scrolling (wheel event every frame)".into(),
        &frames.scroll,
        Some(FRAME_GOAL_MS),
    );
    match &frames.selected {
        Some(s) => row(
            "frame CPU, a bucket selected (detail panel open)".into(),
            s,
            Some(FRAME_GOAL_MS),
        ),
        None => println!("  frame CPU, a bucket selected: no row could be clicked, not measured"),
    }
    row(
        format!("frame CPU while a refresh streams in ({EVENTS_PER_FRAME} answers/frame)"),
        &frames.streaming,
        None,
    );
    let worst = |items: &[(String, Stats)]| {
        items
            .iter()
            .max_by(|a, b| a.1.p95_ms.total_cmp(&b.1.p95_ms))
            .cloned()
            .expect("at least one")
    };
    for (name, s) in &table.filter {
        println!(
            "    re-filter {name:<44} median {:>7.3} ms  max {:>7.3} ms",
            s.median_ms, s.max_ms
        );
    }
    for (name, s) in &table.sort {
        println!(
            "    re-sort {name:<46} median {:>7.3} ms  max {:>7.3} ms",
            s.median_ms, s.max_ms
        );
    }
    let (name, s) = worst(&table.filter);
    row(
        format!("re-filter 10,000 rows, slowest filter ({name})"),
        &s,
        Some(REFILTER_GOAL_MS),
    );
    let (name, s) = worst(&table.sort);
    row(
        format!("re-sort 10,000 rows, slowest column ({name})"),
        &s,
        Some(REFILTER_GOAL_MS),
    );
    row(
        "kittest step, idle (with the AccessKit tree)".into(),
        &kittest.idle_step,
        None,
    );
    row(
        "kittest: keystroke in Filter until re-filtered (all frames)".into(),
        &kittest.keystroke,
        None,
    );
    row(
        "kittest: header click until re-sorted (all frames)".into(),
        &kittest.header_click,
        None,
    );
    row(
        "kittest step, History window open over 10,000 logged changes".into(),
        &kittest.history_step,
        None,
    );
    if json {
        let result = serde_json::json!({
            "bench": "ui_frame",
            "rows_loaded": ROWS,
            "window": [WINDOW.x, WINDOW.y],
            "rows": rows,
            "frames": frames,
            "table": table,
            "kittest": kittest,
        });
        println!("RESULT {result}");
    }
}
