//! The server tests run on, chosen once per process, and the databases made on it: one
//! migrated template per migrations folder, one copy of it per test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use refract_localpg::{Auth, Binaries, RunAs, Settings, StopMode};

const RUN_PREFIX: &str = "refract-test-";
/// The port naming the socket file (`.s.PGSQL.5432`); no TCP port is opened.
const PORT: u16 = 5432;

/// Where test databases are made.
enum Server {
    /// The server `DATABASE_URL` names.
    External { url: String },
    /// This process's private server.
    Private(Private),
}

struct Private {
    root: PathBuf,
    binaries: Binaries,
    run_as: Option<RunAs>,
}

impl Private {
    fn data(&self) -> PathBuf {
        self.root.join("data")
    }
}

impl Server {
    fn database_url(&self, database: &str) -> String {
        match self {
            Server::External { url } => with_database(url, database),
            Server::Private(private) => refract_localpg::socket_url(&private.root, PORT, database),
        }
    }

    /// URLs to try for administrative connections: `DATABASE_URL`'s own database, else
    /// the maintenance database.
    fn admin_urls(&self) -> Vec<String> {
        match self {
            Server::External { url } => vec![url.clone(), with_database(url, "postgres")],
            Server::Private(_) => vec![self.database_url("postgres")],
        }
    }
}

/// One test's database, as made.
pub(crate) struct Made {
    pub(crate) name: String,
    pub(crate) url: String,
}

type TemplateCell = Arc<tokio::sync::OnceCell<Result<String, String>>>;

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static TEMPLATES: Mutex<Option<HashMap<PathBuf, TemplateCell>>> = Mutex::new(None);
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn server() -> Result<&'static Server, String> {
    SERVER
        .get_or_init(|| {
            let chosen = choose_server();
            if chosen.is_ok() {
                // SAFETY: registering a plain `extern "C" fn` with no captured state.
                unsafe {
                    libc::atexit(at_exit);
                }
            }
            chosen
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn choose_server() -> Result<Server, String> {
    if let Some(url) = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
    {
        if refract_migrate::commands::with_database(&url, "postgres").is_none() {
            return Err(format!(
                "DATABASE_URL is not a postgresql:// URL: `{url}` (unset it to test on a private server)"
            ));
        }
        return Ok(Server::External { url });
    }
    let private = start_private().map_err(|error| error.to_string())?;
    Ok(Server::Private(private))
}

/// Starts this process's private server in a fresh 0700 folder (in
/// `refract_localpg::base_dir`: `/dev/shm` when writable), listening on a unix socket in
/// that folder only: it trusts every connection, so no other OS user may reach it (no TCP,
/// where any local user could connect as the superuser).
fn start_private() -> Result<Private, refract_localpg::Error> {
    let hint = std::env::var_os("REFRACT_PG_BINDIR").map(PathBuf::from);
    // Installing is the project's choice, never the harness's: refract's own workspace
    // sets this in .cargo/config.toml so that its tests pass on a bare Debian machine.
    let binaries = if std::env::var_os("REFRACT_TEST_INSTALL_POSTGRES").is_some() {
        Binaries::find_or_install(hint.as_deref())?
    } else {
        Binaries::find(hint.as_deref())?
    };
    let run_as = RunAs::for_this_process()?;
    let base = refract_localpg::base_dir(run_as);
    refract_localpg::sweep_stale(&base, &[RUN_PREFIX], &binaries, run_as);
    let root = base.join(refract_localpg::owned_folder_name(RUN_PREFIX));
    refract_localpg::create_owned_dir(&root, run_as)?;
    let made = (|| {
        let data = root.join("data");
        refract_localpg::initdb(&binaries, &data, &Auth::Trust, run_as)?;
        refract_localpg::configure(
            &data,
            &Settings {
                socket_dir: Some(root.clone()),
                tcp: false,
                durable: false,
                max_connections: 300,
                ..Settings::default()
            },
        )?;
        refract_localpg::start(&binaries, &data, PORT, &root.join("postgres.log"), run_as)
    })();
    match made {
        Ok(()) => Ok(Private {
            root,
            binaries,
            run_as,
        }),
        Err(error) => {
            let _ = std::fs::remove_dir_all(&root);
            Err(error)
        }
    }
}

extern "C" fn at_exit() {
    let _ = std::panic::catch_unwind(|| match SERVER.get() {
        Some(Ok(Server::Private(private))) => {
            let _ = refract_localpg::stop(
                &private.binaries,
                &private.data(),
                StopMode::Immediate,
                private.run_as,
            );
            let _ = std::fs::remove_dir_all(&private.root);
        }
        // On a shared server, the templates go; test databases of failed tests stay.
        Some(Ok(server @ Server::External { .. })) => {
            let names: Vec<String> = TEMPLATES
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .flat_map(|templates| templates.values())
                .filter_map(|cell| cell.get().and_then(|made| made.clone().ok()))
                .collect();
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                for name in names {
                    let _ = runtime.block_on(drop_named(server, &name));
                }
            }
        }
        _ => {}
    });
}

async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

async fn admin(server: &Server) -> Result<tokio_postgres::Client, String> {
    let mut last = String::new();
    for url in server.admin_urls() {
        match connect(&url).await {
            Ok(client) => return Ok(client),
            Err(error) => last = format!("connecting to {url}: {error}"),
        }
    }
    Err(last)
}

/// Makes the test's database: a copy of the migrated template for `migrations`.
pub(crate) async fn create_database(test: &str, migrations: &Path) -> Result<Made, String> {
    // Starting the private server blocks for a second, once; this runtime is the test's own.
    let server = server()?;
    let template = template_for(server, migrations).await?;
    let name = database_name(test);
    let admin = admin(server).await?;
    let sql = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote_ident(&name),
        quote_ident(&template)
    );
    // The template is busy for a moment after its own connections close.
    let mut attempts = 0;
    loop {
        match admin.batch_execute(&sql).await {
            Ok(()) => break,
            Err(error)
                if attempts < 100
                    && error.code() == Some(&tokio_postgres::error::SqlState::OBJECT_IN_USE) =>
            {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(error) => return Err(format!("{sql}: {}", describe(&error))),
        }
    }
    Ok(Made {
        url: server.database_url(&name),
        name,
    })
}

/// The migrated template for `migrations`, made by the first test that needs it.
async fn template_for(server: &'static Server, migrations: &Path) -> Result<String, String> {
    let cell = {
        let mut templates = TEMPLATES.lock().unwrap_or_else(PoisonError::into_inner);
        templates
            .get_or_insert_with(HashMap::new)
            .entry(migrations.to_path_buf())
            .or_default()
            .clone()
    };
    cell.get_or_init(|| make_template(server, migrations.to_path_buf()))
        .await
        .clone()
}

async fn make_template(server: &Server, migrations: PathBuf) -> Result<String, String> {
    let name = format!(
        "refract_tpl_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let admin = admin(server).await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&name)))
        .await
        .map_err(|error| format!("creating the template database: {}", describe(&error)))?;
    drop(admin);
    let config = refract_migrate::commands::Config::new(server.database_url(&name), &migrations);
    let deployed = refract_migrate::commands::deploy(&config).await;
    if let Err(error) = deployed {
        let _ = drop_named(server, &name).await;
        return Err(format!(
            "applying the migrations in {} to the template database: {error}",
            migrations.display()
        ));
    }
    Ok(name)
}

/// Runs the SQL file at `path` on the database at `url`.
pub(crate) async fn apply_fixture(url: &str, path: &Path) -> Result<(), String> {
    let sql = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read fixture {}: {error}", path.display()))?;
    let client = connect(url)
        .await
        .map_err(|error| format!("connecting to {url}: {error}"))?;
    client
        .batch_execute(&sql)
        .await
        .map_err(|error| format!("fixture {}: {}", path.display(), describe(&error)))
}

/// Drops a passing test's database (synchronously: the test's runtime is gone). A
/// failure is printed, not raised: the test itself passed.
pub(crate) fn drop_database(name: &str) {
    let Ok(Ok(runtime)) = std::panic::catch_unwind(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }) else {
        return;
    };
    let result = match server() {
        Ok(server) => runtime.block_on(drop_named(server, name)),
        Err(error) => Err(error),
    };
    if let Err(error) = result {
        eprintln!("refract-test: could not drop database {name}: {error}");
    }
}

async fn drop_named(server: &Server, name: &str) -> Result<(), String> {
    let admin = admin(server).await?;
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(name)
        ))
        .await
        .map_err(|error| describe(&error))
}

/// `refract_<test name>_<pid>_<n>`, at most 63 bytes, so that a kept database says which
/// test it belongs to.
fn database_name(test: &str) -> String {
    let short: String = test
        .rsplit("::")
        .next()
        .unwrap_or(test)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(36)
        .collect();
    format!(
        "t_{short}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Finds the migrations folder from `start` upwards: beside the first schema found as
/// `gen` finds one (`schema.prisma`, `prisma/schema.prisma`, `prisma/schema/`).
pub(crate) fn find_migrations(start: &Path) -> Result<PathBuf, String> {
    use refract_migrate::migrations_dir::{find_schema, for_schema};
    let Some(schema) = start.ancestors().find_map(find_schema) else {
        return Err(format!(
            "no schema found in {} or above (looked for schema.prisma, prisma/schema.prisma, prisma/schema/); \
             name the migrations folder: #[refract_test::test(migrations = \"path\")]",
            start.display()
        ));
    };
    let folder = for_schema(&schema);
    if folder.is_dir() {
        Ok(folder)
    } else {
        Err(format!(
            "the schema {} has no migrations folder at {} (run `gen migrate dev` first, \
             or name one: #[refract_test::test(migrations = \"path\")])",
            schema.display(),
            folder.display()
        ))
    }
}

fn quote_ident(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    refract_runtime::quote_ident(name, &mut quoted);
    quoted
}

fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => error.to_string(),
    }
}

/// `url` with its database replaced by `database`, keeping the query (refract-migrate's
/// reading of URLs; [`choose_server`] checked that `DATABASE_URL` is one).
fn with_database(url: &str, database: &str) -> String {
    refract_migrate::commands::with_database(url, database).unwrap_or_else(|| url.to_owned())
}
