use clap::Parser;
use hark_server::config::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    hark_server::telemetry::init(cli.log_format());
    match hark_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hark: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
