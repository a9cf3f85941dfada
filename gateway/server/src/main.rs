use clap::Parser;

/// mimalloc instead of glibc malloc: see the `mimalloc` entry of the workspace `Cargo.toml`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = gateway_server::cli::Cli::parse();
    // One crypto provider for the whole process (see docs/architecture.md).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match runtime.block_on(gateway_server::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(gateway_server::Error::Exit(code)) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            std::process::ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line.
fn one_line(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text.replace('\n', " ")
}
