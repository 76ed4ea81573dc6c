//! `ossguard`: with no subcommand the desktop app, otherwise the CLI.

use std::process::ExitCode;

use ossguard::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let default_filter = match &cli.command {
        // The dev server's request log is its output; elsewhere only problems are shown.
        Some(ossguard::cli::args::Command::Devserver(_)) => "info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match cli.command {
        Some(command) => runtime.block_on(ossguard::cli::run(cli.global, command)),
        None => {
            // The runtime lives beside eframe and outlives the window; the app only gets a
            // handle. `OSSGUARD_DEMO=1` opens straight into the demo.
            let handle = ossguard::app::runtime::RuntimeHandle::new(runtime.handle().clone());
            ossguard::ui::run(
                handle,
                ossguard::app::environment::AppEnvironment::from_os(),
            )
        }
    }
}
