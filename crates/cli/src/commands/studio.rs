//! `gen studio`: read the schema, connect to the database, serve refract-studio on a local
//! port with a fresh token, print the URL and open the browser, until Ctrl+C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use refract_schema::ir::ConfigValue;

use crate::config::{CliError, Config};

/// The flags of `gen studio` besides `--schema`.
#[derive(Debug, Clone, clap::Args)]
pub struct StudioArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 5555)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address lets other machines reach the
    /// studio (they still need the token).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Do not open a browser; only print the URL.
    #[arg(long)]
    pub no_browser: bool,
}

pub fn run(config: &Config, args: &StudioArgs) -> Result<ExitCode, CliError> {
    let (_, validated) = super::schema::load_valid(config, "fix it before opening the studio")?;
    let ip = parse_host(&args.host)?;
    let url = refract_tls::certificate_paths_relative_to(
        &database_url(
            validated
                .schema
                .datasource
                .as_ref()
                .and_then(|d| d.url.as_ref()),
        )?,
        &config.schema_dir,
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let client = refract_runtime::Client::new(&url)
            .map_err(|e| CliError::Failed(format!("invalid database URL: {e}")))?;
        client
            .connect()
            .await
            .map_err(|e| CliError::Failed(format!("cannot connect to the database: {e}")))?;
        let options = refract_studio::Options {
            addr: SocketAddr::new(ip, args.port),
            token: None,
            extra_hosts: Vec::new(),
        };
        let studio = refract_studio::Studio::bind(validated.schema, client, options)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        if !ip.is_loopback() {
            eprintln!(
                "warning: listening on {ip}: anyone who can reach this machine and has the URL can edit the database"
            );
        }
        println!("refract studio is up on {}", studio.url());
        println!("Press Ctrl+C to stop.");
        if !args.no_browser && !open_browser(studio.url()) {
            eprintln!("could not open a browser: open the URL above");
        }
        studio
            .serve(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `--host`: an IP address, or `localhost`.
fn parse_host(host: &str) -> Result<IpAddr, CliError> {
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    host.trim_matches(|c| c == '[' || c == ']')
        .parse()
        .map_err(|_| {
            CliError::Usage(format!(
                "--host must be an IP address or `localhost`, not `{host}`"
            ))
        })
}

/// The datasource's `url` (a literal or `env("NAME")`), else `DATABASE_URL`.
fn database_url(url: Option<&ConfigValue>) -> Result<String, CliError> {
    let name = match url {
        Some(ConfigValue::Literal(url)) => return Ok(url.clone()),
        Some(ConfigValue::Env(name)) => name.as_str(),
        None => "DATABASE_URL",
    };
    std::env::var(name).map_err(|_| {
        CliError::Usage(format!(
            "the environment variable `{name}` is not set: put the database URL in .env beside the schema"
        ))
    })
}

/// Asks the desktop to open `url`; `false` if no opener could be started.
fn open_browser(url: &str) -> bool {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts() {
        let cases: &[(&str, Option<&str>)] = &[
            ("127.0.0.1", Some("127.0.0.1")),
            ("localhost", Some("127.0.0.1")),
            ("0.0.0.0", Some("0.0.0.0")),
            ("::1", Some("::1")),
            ("[::1]", Some("::1")),
            ("example.com", None),
        ];
        for (input, expected) in cases {
            let got = parse_host(input).ok().map(|ip| ip.to_string());
            assert_eq!(got.as_deref(), *expected, "{input}");
        }
    }

    #[test]
    fn literal_urls_win_over_the_environment() {
        let url = ConfigValue::Literal("postgresql://x@h/db".into());
        assert_eq!(database_url(Some(&url)).unwrap(), "postgresql://x@h/db");
        let missing = ConfigValue::Env("REFRACT_STUDIO_TEST_UNSET_VARIABLE".into());
        assert!(database_url(Some(&missing)).is_err());
    }
}
