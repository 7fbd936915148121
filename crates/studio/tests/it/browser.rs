//! The page end to end in a real browser: headless Chromium driven through WebDriver
//! (chromedriver, spawned here on a free port) against a studio served on a seeded database.
//! Every change made through the page is checked in the database with SQL.
//!
//! Needs Debian's `chromium` and `chromium-driver`: the first test to launch the browser
//! runs `tests/install-browser.sh`, which installs them when they are missing (as root, or
//! with passwordless sudo), so `cargo test --workspace` works on a fresh machine.
//! `CHROMIUM` and `CHROMEDRIVER` override the paths (nothing is installed then). Without a
//! browser the test fails: it never skips.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use refract_runtime::tokio_postgres;
use serde_json::{Value as Json, json};

use crate::seed::{seeded, serve};

const WAIT: Duration = Duration::from_secs(20);

/// Runs `tests/install-browser.sh` once per process, unless the paths are overridden. The
/// script does nothing when the browser is there; when it fails, `program` says what
/// is missing.
fn install_browser() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        if std::env::var_os("CHROMIUM").is_some() || std::env::var_os("CHROMEDRIVER").is_some() {
            return;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/install-browser.sh");
        match std::process::Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
        {
            Ok(output) if output.status.success() => {}
            Ok(output) => eprintln!(
                "{} failed:\n{}",
                script.display(),
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => eprintln!("cannot run {}: {error}", script.display()),
        }
    });
}

fn program(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: install the browser with crates/studio/tests/install-browser.sh \
         (or set {env})",
        path.display()
    );
    path
}

/// Chromium under chromedriver, with a fresh profile; both end when this is dropped.
struct Browser {
    client: Client,
    _driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

async fn launch() -> Browser {
    install_browser();
    let chromium = program("CHROMIUM", "/usr/bin/chromium");
    let chromedriver = program("CHROMEDRIVER", "/usr/bin/chromedriver");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = tokio::process::Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < WAIT,
            "chromedriver did not start listening on {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1440,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("cannot open a Chromium session through chromedriver: {e}"));
    Browser {
        client,
        _driver: driver,
        _profile: profile,
    }
}

/// The page under test, with the helpers the steps below read like.
struct Page<'a> {
    client: &'a Client,
}

impl Page<'_> {
    async fn js(&self, script: &str) -> Json {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {script}: {e}"))
    }

    /// Waits until the JavaScript expression is truthy.
    async fn wait(&self, expression: &str, what: &str) {
        let script = format!("return !!({expression});");
        let started = Instant::now();
        loop {
            if self.js(&script).await == Json::Bool(true) {
                return;
            }
            if started.elapsed() > WAIT {
                let state = self
                    .js("return document.body.innerText.slice(0, 3000);")
                    .await;
                panic!("timed out waiting for {what} ({expression}); the page shows:\n{state}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn loads(&self) -> u64 {
        self.js("return Number(document.body.dataset.loads || 0);")
            .await
            .as_u64()
            .unwrap_or(0)
    }

    /// Runs `action`, then waits for the table to finish the load it caused.
    async fn loading<F: std::future::Future<Output = ()>>(&self, action: F) {
        let before = self.loads().await;
        action.await;
        self.wait(
            &format!(
                "Number(document.body.dataset.loads || 0) > {before} && !document.body.dataset.busy"
            ),
            "the table to load",
        )
        .await;
    }

    async fn click(&self, css: &str) {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let input = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"));
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("cannot select {value} in {css}: {e}"));
    }

    async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }
}

fn cell(id: &str, field: &str) -> String {
    format!("tbody tr[data-key='[\"{id}\"]'] td[data-field=\"{field}\"] .cell")
}

/// The one value of a query without parameters.
async fn scalar<T: tokio_postgres::types::FromSqlOwned>(
    sql: &tokio_postgres::Client,
    query: &str,
) -> T {
    refract_testdb::one_value(sql, query, &[]).await
}

/// Every value of a one-column query without parameters.
async fn column<T: tokio_postgres::types::FromSqlOwned>(
    sql: &tokio_postgres::Client,
    query: &str,
) -> Vec<T> {
    refract_testdb::first_column(sql, query, &[]).await
}

/// Where the browser tests leave their screenshots (gitignored).
fn artifacts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_and_edit_the_reference_schema_in_chromium() {
    let (db, sql, schema) = seeded(75).await;
    let (url, _stop) = serve(&db, schema).await;
    let browser = launch().await;
    let page = Page {
        client: &browser.client,
    };

    // The model list with row counts.
    page.client.goto(&url).await.unwrap();
    page.wait("document.body.dataset.ready === '1'", "the page to start")
        .await;
    page.wait(
        "document.querySelector('a[data-model=\"User\"] .count').textContent === '75'",
        "the User row count",
    )
    .await;
    assert_eq!(page.text("a[data-model=\"Message\"] .count").await, "3");

    // Open the User table: the first page of 50, in id order.
    page.loading(page.click("a[data-model=\"User\"]")).await;
    assert_eq!(page.text("#model-title").await, "User");
    assert_eq!(page.text("#row-total").await, "75 rows");
    assert_eq!(page.count("tbody tr").await, 50);
    assert_eq!(
        page.text(&cell("u000001", "email")).await,
        "user000001@globex.test"
    );
    page.screenshot(&artifacts().join("studio-user-table.png"))
        .await;

    // Sort by email, ascending then descending, then the second page.
    page.loading(page.click("th[data-field=\"email\"] .head"))
        .await;
    let first_email: String =
        scalar(&sql, r#"SELECT email FROM "User" ORDER BY email LIMIT 1"#).await;
    assert_eq!(
        page.text("tbody tr:first-child td[data-field=\"email\"]")
            .await,
        first_email
    );
    page.loading(page.click("th[data-field=\"email\"] .head"))
        .await;
    let last_email: String = scalar(
        &sql,
        r#"SELECT email FROM "User" ORDER BY email DESC LIMIT 1"#,
    )
    .await;
    assert_eq!(
        page.text("tbody tr:first-child td[data-field=\"email\"]")
            .await,
        last_email
    );
    assert!(page.text("th[data-field=\"email\"]").await.contains('▼'));
    page.loading(page.click("#next-page")).await;
    assert_eq!(page.count("tbody tr").await, 25);
    assert_eq!(page.text("#page-info").await, "51–75 of 75");
    let page_two: String = scalar(
        &sql,
        r#"SELECT email FROM "User" ORDER BY email DESC OFFSET 50 LIMIT 1"#,
    )
    .await;
    assert_eq!(
        page.text("tbody tr:first-child td[data-field=\"email\"]")
            .await,
        page_two
    );

    // Filters by column type: text contains, then an enum equals.
    page.loading(page.click("a[data-model=\"User\"]")).await;
    page.select("#filter-field", "email").await;
    page.select("#filter-op", "contains").await;
    page.type_into("#filter-value", "initech").await;
    page.loading(page.click("#filter-apply")).await;
    let initech: i64 = scalar(
        &sql,
        r#"SELECT count(*) FROM "User" WHERE email LIKE '%initech%'"#,
    )
    .await;
    assert_eq!(page.text("#row-total").await, format!("{initech} rows"));
    page.select("#filter-field", "role").await;
    page.select("#filter-op", "equals").await;
    page.select("#filter-value", "ADMIN").await;
    page.loading(page.click("#filter-apply")).await;
    let admins: Vec<String> = sql
        .query(
            r#"SELECT email FROM "User" WHERE email LIKE '%initech%' AND role = 'ADMIN' ORDER BY id"#,
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!admins.is_empty());
    assert_eq!(page.count("tbody tr").await, admins.len());
    assert_eq!(page.count("#chips .chip").await, 2);
    assert_eq!(
        page.text("tbody tr:first-child td[data-field=\"email\"]")
            .await,
        admins[0]
    );
    // Removing a filter chip widens the result again.
    page.loading(page.click("#chips .chip[data-filter=\"1\"] button"))
        .await;
    assert_eq!(page.text("#row-total").await, format!("{initech} rows"));

    // Edit an email.
    page.loading(page.click("a[data-model=\"User\"]")).await;
    page.click(&cell("u000002", "email")).await;
    page.wait("!document.getElementById('editor').hidden", "the editor")
        .await;
    page.type_into("#editor-slot input", "bob@newmail.test")
        .await;
    page.click("#editor-save").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    assert_eq!(
        page.text(&cell("u000002", "email")).await,
        "bob@newmail.test"
    );
    let email: String = scalar(&sql, r#"SELECT email FROM "User" WHERE id = 'u000002'"#).await;
    assert_eq!(email, "bob@newmail.test");

    // A taken email: the unique violation shows next to the edit; nothing is written.
    page.click(&cell("u000003", "email")).await;
    page.wait("!document.getElementById('editor').hidden", "the editor")
        .await;
    page.type_into("#editor-slot input", "user000001@globex.test")
        .await;
    page.click("#editor-save").await;
    page.wait(
        "!document.getElementById('editor-error').hidden",
        "the error",
    )
    .await;
    let message = page.text("#editor-error").await;
    assert!(
        message.contains("P2002")
            && message.contains("Unique constraint failed")
            && message.contains("`email`"),
        "{message}"
    );
    assert!(
        page.js("return document.querySelector('tbody tr[data-key=\\'[\"u000003\"]\\'] td[data-field=\"email\"]').classList.contains('failed');")
            .await
            == Json::Bool(true)
    );
    page.screenshot(&artifacts().join("studio-unique-violation.png"))
        .await;
    page.click("#editor-cancel").await;
    let email: String = scalar(&sql, r#"SELECT email FROM "User" WHERE id = 'u000003'"#).await;
    assert_eq!(email, "user000003@acme.test");
    assert_eq!(
        page.text(&cell("u000003", "email")).await,
        "user000003@acme.test"
    );

    // An enum through its select, and set-to-null on a nullable field.
    page.click(&cell("u000004", "role")).await;
    page.select("#editor-slot select", "ADMIN").await;
    page.click("#editor-save").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    assert_eq!(page.text(&cell("u000004", "role")).await, "ADMIN");
    let role: String = scalar(
        &sql,
        r#"SELECT role::text FROM "User" WHERE id = 'u000004'"#,
    )
    .await;
    assert_eq!(role, "ADMIN");
    page.click(&cell("u000005", "name")).await;
    page.click("#editor-null").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    assert_eq!(page.text(&cell("u000005", "name")).await, "null");
    let name: Option<String> =
        scalar(&sql, r#"SELECT name FROM "User" WHERE id = 'u000005'"#).await;
    assert_eq!(name, None);

    // The JSON editor refuses invalid JSON, then saves valid JSON.
    page.loading(page.click("a[data-model=\"Agent\"]")).await;
    page.click(&cell("a1", "flowJson")).await;
    page.type_into("#editor-slot textarea", "{\"nodes\": [")
        .await;
    page.wait(
        "document.getElementById('editor-save').disabled",
        "Save to be disabled",
    )
    .await;
    assert!(
        page.text("#editor-slot .json-status")
            .await
            .contains("invalid JSON")
    );
    page.type_into(
        "#editor-slot textarea",
        "{\"nodes\": [\"start\"], \"v\": 2}",
    )
    .await;
    page.wait(
        "!document.getElementById('editor-save').disabled",
        "Save to be enabled",
    )
    .await;
    page.click("#editor-save").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    let flow: Json = scalar(&sql, r#"SELECT "flowJson" FROM "Agent" WHERE id = 'a1'"#).await;
    assert_eq!(flow, json!({"nodes": ["start"], "v": 2}));

    // Add a row: defaults shown, required fields enforced, then created.
    page.loading(page.click("a[data-model=\"User\"]")).await;
    page.click("#add-row").await;
    page.wait(
        "!document.getElementById('create-dialog').hidden",
        "the add-row form",
    )
    .await;
    assert!(
        page.text("#create-form select[name=\"role\"] option")
            .await
            .contains("default: VIEWER")
    );
    let id_hint = page
        .text("#create-form .form-row[data-field=\"id\"] .hint")
        .await;
    assert!(id_hint.contains("cuid()"), "{id_hint}");
    page.type_into("#create-form [name=\"name\"]", "Erin").await;
    page.click("#create-save").await;
    page.wait(
        "document.querySelector('#create-form .form-row[data-field=\"email\"] .row-error')",
        "the required-field message",
    )
    .await;
    assert!(
        page.text("#create-form .form-row[data-field=\"tenantId\"] .row-error")
            .await
            .contains("has no default")
    );
    page.screenshot(&artifacts().join("studio-add-row.png"))
        .await;
    let erins: i64 = scalar(&sql, r#"SELECT count(*) FROM "User" WHERE name = 'Erin'"#).await;
    assert_eq!(erins, 0);
    page.type_into("#create-form [name=\"email\"]", "erin@acme.test")
        .await;
    page.type_into("#create-form [name=\"tenantId\"]", "t1")
        .await;
    page.loading(page.click("#create-save")).await;
    page.wait(
        "document.getElementById('create-dialog').hidden",
        "the form to close",
    )
    .await;
    let row = sql
        .query_one(
            r#"SELECT id, role::text, "tenantId", name FROM "User" WHERE email = 'erin@acme.test'"#,
            &[],
        )
        .await
        .unwrap();
    let erin_id: String = row.get(0);
    assert!(erin_id.len() >= 20, "a cuid: {erin_id}");
    assert_eq!(row.get::<_, String>(1), "VIEWER");
    assert_eq!(row.get::<_, String>(2), "t1");
    assert_eq!(row.get::<_, Option<String>>(3).as_deref(), Some("Erin"));
    assert_eq!(page.text("#row-total").await, "76 rows");
    page.wait(
        "!document.getElementById('record').hidden",
        "the new record",
    )
    .await;
    assert!(page.text("#record-title").await.contains(&erin_id));
    page.click("#record-close").await;

    // Follow a relation: to-one opens the related record, to-many the filtered table.
    page.loading(page.click("tbody tr[data-key='[\"u000001\"]'] td[data-field=\"tenant\"] a.link"))
        .await;
    assert_eq!(page.text("#model-title").await, "Tenant");
    assert_eq!(page.count("tbody tr").await, 1);
    page.wait(
        "!document.getElementById('record').hidden",
        "the related record",
    )
    .await;
    assert_eq!(page.text("#record-title").await, "Tenant t2");
    assert_eq!(page.text("#record dd[data-field=\"name\"]").await, "Globex");
    page.loading(page.click("#record dd[data-field=\"users\"] a.link"))
        .await;
    assert_eq!(page.text("#model-title").await, "User");
    let globex: i64 = scalar(
        &sql,
        r#"SELECT count(*) FROM "User" WHERE "tenantId" = 't2'"#,
    )
    .await;
    assert_eq!(page.text("#row-total").await, format!("{globex} rows"));
    assert!(
        page.text("#chips .chip[data-related]")
            .await
            .contains("Tenant t2")
    );

    // Delete a row after confirming.
    page.click("tbody tr[data-key='[\"u000004\"]'] td.select input")
        .await;
    assert_eq!(page.text("#delete-selected").await, "Delete 1 row");
    page.click("#delete-selected").await;
    page.wait(
        "!document.getElementById('delete-dialog').hidden",
        "the confirmation",
    )
    .await;
    assert!(
        page.text("#delete-message")
            .await
            .contains("Delete 1 User row?")
    );
    let still_there: i64 =
        scalar(&sql, r#"SELECT count(*) FROM "User" WHERE id = 'u000004'"#).await;
    assert_eq!(still_there, 1, "nothing is deleted before the confirmation");
    page.loading(page.click("#delete-confirm")).await;
    page.wait(
        "document.getElementById('delete-dialog').hidden",
        "the dialog to close",
    )
    .await;
    let gone: i64 = scalar(&sql, r#"SELECT count(*) FROM "User" WHERE id = 'u000004'"#).await;
    assert_eq!(gone, 0);
    assert_eq!(
        page.text("#row-total").await,
        format!("{} rows", globex - 1)
    );
    page.wait(
        "document.querySelector('a[data-model=\"User\"] .count').textContent === '75'",
        "the count to follow",
    )
    .await;

    browser.client.close().await.unwrap();
}

/// The editors the reference schema has no field for: the boolean toggle, a number, the
/// DateTime picker, a list in the JSON editor; and a many-to-many link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_editors_and_many_to_many_links_in_chromium() {
    let (db, sql, schema) = crate::seed::typed().await;
    sql.batch_execute(
        r#"INSERT INTO "Item" (uid, active, ratio, tags) VALUES ('6f1c1d3e-0000-4000-8000-000000000001', true, 1.5, '{a}');
           INSERT INTO "Item" (uid, at) VALUES ('6f1c1d3e-0000-4000-8000-000000000002', 'infinity');
           INSERT INTO "Label" (id, name) VALUES (1, 'one'), (2, 'two');
           INSERT INTO "_ItemToLabel" ("A", "B") VALUES (1, 2);"#,
    )
    .await
    .unwrap();
    let (url, _stop) = serve(&db, schema).await;
    let browser = launch().await;
    let page = Page {
        client: &browser.client,
    };
    page.client.goto(&url).await.unwrap();
    page.wait("document.body.dataset.ready === '1'", "the page to start")
        .await;
    page.loading(page.click("a[data-model=\"Item\"]")).await;

    // A value the studio cannot decode: PostgreSQL's text behind a marker, not editable;
    // the row's other cells are.
    let odd = |field: &str| format!("tbody tr[data-key='[2]'] td[data-field=\"{field}\"]");
    assert!(page.text(&odd("at")).await.ends_with("infinity"));
    assert_eq!(
        page.count(&format!("{} .unreadable .marker", odd("at")))
            .await,
        1
    );
    assert_eq!(page.count(&format!("{}.editable", odd("at"))).await, 0);
    assert_eq!(page.count(&format!("{}.editable", odd("ratio"))).await, 1);

    // The toggle.
    let item = |field: &str| format!("tbody tr[data-key='[1]'] td[data-field=\"{field}\"] .cell");
    page.click(&item("active")).await;
    page.click("#editor-slot .toggle input").await;
    page.click("#editor-save").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    assert_eq!(page.text(&item("active")).await, "false");
    let active: bool = scalar(&sql, r#"SELECT active FROM "Item" WHERE id = 1"#).await;
    assert!(!active);

    // A number.
    page.click(&item("ratio")).await;
    page.type_into("#editor-slot input[type=number]", "0.125")
        .await;
    page.click("#editor-save").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    let ratio: f64 = scalar(&sql, r#"SELECT ratio FROM "Item" WHERE id = 1"#).await;
    assert_eq!(ratio, 0.125);

    // The DateTime picker (UTC): set as the picker sets it, with an input event.
    page.click(&item("at")).await;
    page.js(
        "const input = document.querySelector('#editor-slot input[type=datetime-local]');
         input.value = '2024-03-04T05:06:07.089';
         input.dispatchEvent(new Event('input', {bubbles: true}));
         return true;",
    )
    .await;
    page.click("#editor-save").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    assert_eq!(page.text(&item("at")).await, "2024-03-04T05:06:07.089Z");
    let exact: bool = scalar(
        &sql,
        r#"SELECT at = timestamptz '2024-03-04 05:06:07.089+00' FROM "Item" WHERE id = 1"#,
    )
    .await;
    assert!(exact);

    // A list, in the JSON editor: a non-list is refused, a list is saved.
    page.click(&item("tags")).await;
    page.type_into("#editor-slot textarea", "{\"a\": 1}").await;
    page.wait(
        "document.getElementById('editor-save').disabled",
        "Save to be disabled",
    )
    .await;
    assert!(
        page.text("#editor-slot .json-status")
            .await
            .contains("expected a JSON list")
    );
    page.type_into("#editor-slot textarea", "[\"b\", \"c\"]")
        .await;
    page.wait(
        "!document.getElementById('editor-save').disabled",
        "Save to be enabled",
    )
    .await;
    page.click("#editor-save").await;
    page.wait(
        "document.getElementById('editor').hidden",
        "the editor to close",
    )
    .await;
    let tags: Vec<String> = scalar(&sql, r#"SELECT tags FROM "Item" WHERE id = 1"#).await;
    assert_eq!(tags, ["b", "c"]);

    // A many-to-many link opens the related rows.
    page.loading(page.click("tbody tr[data-key='[1]'] td[data-field=\"labels\"] a.link"))
        .await;
    assert_eq!(page.text("#model-title").await, "Label");
    assert_eq!(page.count("tbody tr").await, 1);
    assert_eq!(page.text("tbody tr td[data-field=\"name\"]").await, "two");

    // Link label 1 to item 1 from here, then unlink label 2; the join table follows.
    page.type_into(".link-form input[name=\"link-target\"]", "1")
        .await;
    page.loading(page.click(".link-form button[type=\"submit\"]"))
        .await;
    assert_eq!(page.count("tbody tr").await, 2);
    let linked: Vec<i32> = column(
        &sql,
        r#"SELECT "B" FROM "_ItemToLabel" WHERE "A" = 1 ORDER BY 1"#,
    )
    .await;
    assert_eq!(linked, [1, 2]);
    page.loading(page.click("tbody tr[data-key='[2]'] td.select button.unlink"))
        .await;
    assert_eq!(page.count("tbody tr").await, 1);
    assert_eq!(page.text("tbody tr td[data-field=\"name\"]").await, "one");
    let linked: Vec<i32> = column(
        &sql,
        r#"SELECT "B" FROM "_ItemToLabel" WHERE "A" = 1 ORDER BY 1"#,
    )
    .await;
    assert_eq!(linked, [1]);
    // A label that does not exist: the page shows Prisma's P2025 and links nothing.
    page.type_into(".link-form input[name=\"link-target\"]", "99")
        .await;
    page.click(".link-form button[type=\"submit\"]").await;
    page.wait(
        "!document.getElementById('page-error').hidden",
        "the link error",
    )
    .await;
    assert!(page.text("#page-error").await.contains("P2025"));
    page.screenshot(&artifacts().join("studio-many-to-many.png"))
        .await;

    browser.client.close().await.unwrap();
}
