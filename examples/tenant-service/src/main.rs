//! `tenant-service`: reads its configuration (DATABASE_URL from the environment or
//! `.env`, PORT, HOST), installs the client both ways (the process-wide singleton for
//! the startup check and the usage job, axum state for the handlers) and serves
//! [`tenant_service::router`] until Ctrl-C.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use tenant_service::singleton;
use tracing_subscriber::EnvFilter;

const DEFAULT_PORT: u16 = 3000;
const USAGE_REPORT_PERIOD: Duration = Duration::from_secs(600);

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_ansi(std::io::stdout().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // `.env` in this folder or a parent; variables already set win.
    let _ = dotenvy::dotenv();
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse::<u16>()
            .map_err(|_| format!("PORT must be a port number, got `{port}`"))?,
        Err(_) => DEFAULT_PORT,
    };
    let host = match std::env::var("HOST") {
        Ok(host) => host
            .parse::<IpAddr>()
            .map_err(|_| format!("HOST must be an IP address, got `{host}`"))?,
        Err(_) => IpAddr::from([127, 0, 0, 1]),
    };

    let db = client::Client::from_env()?;
    singleton::install(db.clone())?;
    let tenants = singleton::startup_check().await?;
    tracing::info!(tenants, "database ready");
    tokio::spawn(singleton::log_usage_every(USAGE_REPORT_PERIOD));

    let listener = tokio::net::TcpListener::bind((host, port)).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, tenant_service::router(db))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
