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
    /// A host name (or IP address) other machines reach the studio by, e.g. with
    /// `--host 0.0.0.0`; repeatable. Requests whose `Host` or `Origin` names any other host
    /// are refused (DNS rebinding), so without it only loopback names and `--host` work.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
}

pub fn run(config: &Config, args: &StudioArgs) -> Result<ExitCode, CliError> {
    let options = studio_options(args)?;
    let (_, validated) = super::schema::load_valid(config, "fix it before opening the studio")?;
    let ip = options.addr.ip();
    let allowed_hosts = options.extra_hosts.clone();
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
        let studio = refract_studio::Studio::bind(validated.schema, client, options)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        if !ip.is_loopback() {
            eprintln!(
                "warning: listening on {ip}: anyone who can reach this machine and has the URL can edit the database"
            );
        }
        println!("refract studio is up on {}", studio.url());
        for host in &allowed_hosts {
            println!(
                "  and on {}",
                url_for_host(studio.url(), host, studio.local_addr().port())
            );
        }
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

/// The studio's [`refract_studio::Options`] from the flags: where to listen and the host
/// names it also answers to. The token is drawn by the studio.
fn studio_options(args: &StudioArgs) -> Result<refract_studio::Options, CliError> {
    let ip = parse_host(&args.host)?;
    let extra_hosts = args
        .allowed_hosts
        .iter()
        .map(|host| parse_allowed_host(host))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(refract_studio::Options {
        addr: SocketAddr::new(ip, args.port),
        token: None,
        extra_hosts,
    })
}

/// `--allowed-host`: a DNS name or an IP address, without port (the studio's own port is
/// the only one it answers on), lower-cased; IPv6 addresses in brackets as `Host` has them.
fn parse_allowed_host(host: &str) -> Result<String, CliError> {
    let trimmed = host.trim();
    if let Ok(ip) = trimmed
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return Ok(match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        });
    }
    let is_name = !trimmed.is_empty()
        && trimmed.len() <= 253
        && trimmed.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !is_name {
        return Err(CliError::Usage(format!(
            "--allowed-host must be a host name or an IP address without port, not `{host}`"
        )));
    }
    Ok(trimmed.to_ascii_lowercase())
}

/// The studio's `url` (token included) as reached through `host` on `port`.
fn url_for_host(url: &str, host: &str, port: u16) -> String {
    let path = url.find("/?").map_or("/", |i| &url[i..]);
    format!("http://{host}:{port}{path}")
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
    fn parses_allowed_hosts() {
        let cases: &[(&str, Option<&str>)] = &[
            ("studio.example", Some("studio.example")),
            ("Studio.Example", Some("studio.example")),
            ("my-box", Some("my-box")),
            ("192.168.1.5", Some("192.168.1.5")),
            ("fe80::1", Some("[fe80::1]")),
            ("[fe80::1]", Some("[fe80::1]")),
            ("studio.example:8080", None),
            ("*.example", None),
            ("", None),
            ("a..b", None),
            ("http://studio.example", None),
        ];
        for (input, expected) in cases {
            let got = parse_allowed_host(input).ok();
            assert_eq!(got.as_deref(), *expected, "{input}");
        }
        assert_eq!(
            url_for_host("http://127.0.0.1:5555/?token=abc", "studio.example", 5555),
            "http://studio.example:5555/?token=abc"
        );
    }

    /// `gen studio`'s flags parsed by clap, as `main` embeds them.
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        args: StudioArgs,
    }

    /// Sends `GET /api/schema` to 127.0.0.1:`port` naming `host` (and `origin`); the status.
    fn status_of(port: u16, host: &str, origin: Option<&str>, token: &str) -> u16 {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let origin = origin.map_or_else(String::new, |o| format!("Origin: {o}\r\n"));
        write!(
            stream,
            "GET /api/schema HTTP/1.1\r\nHost: {host}\r\n{origin}x-refract-token: {token}\r\n\
             Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
            .split(' ')
            .nth(1)
            .and_then(|status| status.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
    }

    /// `--host 0.0.0.0 --allowed-host NAME`: requests naming NAME (in `Host` and `Origin`)
    /// are served; any other name is still refused, as a DNS-rebinding page would send it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn allowed_hosts_are_served_and_other_hosts_refused() {
        use clap::Parser;
        let flags = Flags::try_parse_from([
            "studio",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--allowed-host",
            "Studio.Example",
            "--allowed-host",
            "10.1.2.3",
        ])
        .unwrap();
        let mut options = studio_options(&flags.args).unwrap();
        assert_eq!(options.extra_hosts, ["studio.example", "10.1.2.3"]);
        let token = "0123456789abcdef0123456789abcdef";
        options.token = Some(token.into());
        let validated = refract_schema::validate_str(
            "schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel A {\n  id Int @id\n}\n",
        );
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        // Never connected: `/api/schema` answers from the schema alone.
        let client = refract_runtime::Client::new("postgresql://nobody@127.0.0.1:9/none").unwrap();
        let studio = refract_studio::Studio::bind(validated.schema, client, options)
            .await
            .unwrap();
        let port = studio.local_addr().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(studio.serve(async move {
            let _ = stopped.await;
        }));
        let at = |name: &str| format!("{name}:{port}");
        let origin = |name: &str| format!("http://{name}:{port}");
        let cases: Vec<(String, Option<String>, u16)> = vec![
            (at("studio.example"), None, 200),
            (at("STUDIO.example"), None, 200),
            (at("10.1.2.3"), None, 200),
            (at("127.0.0.1"), None, 200),
            (at("studio.example"), Some(origin("studio.example")), 200),
            (at("evil.example"), None, 403),
            (at("studio.example.evil.example"), None, 403),
            (at("10.1.2.4"), None, 403),
            ("studio.example:1".into(), None, 403),
            (at("studio.example"), Some(origin("evil.example")), 403),
            (
                at("studio.example"),
                Some(format!("https://studio.example:{port}")),
                403,
            ),
        ];
        for (host, origin, expected) in cases {
            let (h, o) = (host.clone(), origin.clone());
            let got = tokio::task::spawn_blocking(move || status_of(port, &h, o.as_deref(), token))
                .await
                .unwrap();
            assert_eq!(got, expected, "Host {host}, Origin {origin:?}");
        }
        let _ = stop.send(());
        server.await.unwrap().unwrap();
    }

    #[test]
    fn literal_urls_win_over_the_environment() {
        let url = ConfigValue::Literal("postgresql://x@h/db".into());
        assert_eq!(database_url(Some(&url)).unwrap(), "postgresql://x@h/db");
        let missing = ConfigValue::Env("REFRACT_STUDIO_TEST_UNSET_VARIABLE".into());
        assert!(database_url(Some(&missing)).is_err());
    }
}
