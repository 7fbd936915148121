//! Named, persistent servers (what `gen dev` manages): one folder per name under a state
//! folder, holding the data folder, the log and `instance.conf` (port, password, database
//! names). The server keeps its port and password across stops and starts, so the URLs
//! pasted into `.env` stay valid.
//!
//! Layout: `<state>/dev/<name>/{instance.conf, data/, postgres.log}`. The name's folder
//! belongs to the server's OS user, mode 0700; `instance.conf` is 0600.

use std::path::{Path, PathBuf};

use crate::{Auth, Binaries, Error, RunAs, Settings, StopMode, io_error};

/// Lowest port tried for a new server; each name hashes to a port above it, so a name
/// gets the same port again after `rm` when it is free.
const FIRST_PORT: u16 = 51214;
const PORT_SPREAD: u16 = 700;

/// One named server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// Its name (letters, digits, `-`, `_`).
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Port on 127.0.0.1.
    pub port: u16,
    /// The superuser's password.
    pub password: String,
    /// The application's database.
    pub database: String,
    /// The shadow database (for `migrate dev`).
    pub shadow_database: String,
}

impl Instance {
    /// The data folder.
    pub fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The server's log.
    pub fn log(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// `postgresql://postgres:<password>@127.0.0.1:<port>/<database>`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{}:{}@127.0.0.1:{}/{database}",
            crate::SUPERUSER,
            self.password,
            self.port
        )
    }

    /// The URL of the application's database.
    pub fn database_url(&self) -> String {
        self.url(&self.database)
    }

    /// The URL of the shadow database.
    pub fn shadow_database_url(&self) -> String {
        self.url(&self.shadow_database)
    }

    /// The pid of its server, if running.
    pub fn running_pid(&self) -> Option<u32> {
        crate::running_pid(&self.data())
    }

    fn write_conf(&self, run_as: Option<RunAs>) -> Result<(), Error> {
        let path = self.dir.join("instance.conf");
        let text = format!(
            "# refract-localpg: one named server (gen dev). Edit with care.\n\
             port = {}\npassword = {}\ndatabase = {}\nshadow_database = {}\n",
            self.port, self.password, self.database, self.shadow_database
        );
        let staging = self.dir.join("instance.conf.new");
        let _ = std::fs::remove_file(&staging);
        crate::write_owned_file(&staging, &text, 0o600, run_as)?;
        std::fs::rename(&staging, &path).map_err(io_error(format!("writing {}", path.display())))
    }
}

/// Whether `name` may name a server: 1 to 63 letters, digits, `-` or `_`, not starting
/// with `-` (it becomes a folder name and part of a database name).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A folder name made into a server name: lower case, other characters as `-`.
pub fn name_from_folder(folder: &str) -> String {
    let mut name: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_owned();
    name.truncate(40);
    if name.is_empty() {
        "default".to_owned()
    } else {
        name
    }
}

/// The named servers under one state folder.
#[derive(Clone, Debug)]
pub struct Registry {
    root: PathBuf,
}

impl Registry {
    /// The servers under `<state_dir>/dev`.
    pub fn new(state_dir: &Path) -> Registry {
        Registry {
            root: state_dir.join("dev"),
        }
    }

    /// The folder holding every server's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every server, by name.
    pub fn list(&self) -> Result<Vec<Instance>, Error> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error(format!("reading {}", self.root.display()))(error)),
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if valid_name(&name) {
                if let Some(instance) = self.get(&name)? {
                    found.push(instance);
                }
            }
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(found)
    }

    /// The server named `name`, if it exists.
    pub fn get(&self, name: &str) -> Result<Option<Instance>, Error> {
        let dir = self.root.join(name);
        let conf = dir.join("instance.conf");
        let text = match std::fs::read_to_string(&conf) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error(format!("reading {}", conf.display()))(error)),
        };
        let value = |key: &str| {
            text.lines()
                .filter_map(|line| line.split_once('='))
                .find(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().to_owned())
        };
        let broken = |what: &str| Error::Io {
            what: format!("reading {}", conf.display()),
            source: std::io::Error::other(format!("no valid `{what}`")),
        };
        let port = value("port")
            .and_then(|p| p.parse::<u16>().ok())
            .ok_or_else(|| broken("port"))?;
        Ok(Some(Instance {
            name: name.to_owned(),
            port,
            password: value("password").ok_or_else(|| broken("password"))?,
            database: value("database").ok_or_else(|| broken("database"))?,
            shadow_database: value("shadow_database").ok_or_else(|| broken("shadow_database"))?,
            dir,
        }))
    }

    /// Creates server `name` (initdb with a new password, loopback only), not started.
    /// `port`: the one asked for, else a free one derived from the name.
    pub fn create(
        &self,
        name: &str,
        port: Option<u16>,
        binaries: &Binaries,
        run_as: Option<RunAs>,
    ) -> Result<Instance, Error> {
        self.ensure_root(run_as)?;
        let dir = self.root.join(name);
        let port = match port {
            Some(port) => port,
            None => port_for(name)?,
        };
        let database = name.replace('-', "_");
        let instance = Instance {
            name: name.to_owned(),
            port,
            password: crate::generate_password()?,
            shadow_database: format!("{database}_shadow"),
            database,
            dir,
        };
        // A folder left by a failed creation (no instance.conf) is replaced, unless it
        // holds a data folder: that may be a server's data whose instance.conf was lost.
        if instance.data().join("PG_VERSION").exists() {
            return Err(Error::Io {
                what: format!("creating server `{name}` in {}", instance.dir.display()),
                source: std::io::Error::other(format!(
                    "{} holds a PostgreSQL data folder but no instance.conf; refusing to delete it                      (move it away, or remove it yourself if its data is not needed)",
                    instance.dir.display()
                )),
            });
        }
        if instance.dir.exists() {
            std::fs::remove_dir_all(&instance.dir)
                .map_err(io_error(format!("removing {}", instance.dir.display())))?;
        }
        crate::create_owned_dir(&instance.dir, run_as)?;
        let made = crate::initdb(
            binaries,
            &instance.data(),
            &Auth::Password(instance.password.clone()),
            run_as,
        )
        .and_then(|()| crate::configure(&instance.data(), &Settings::default()))
        .and_then(|()| instance.write_conf(run_as));
        if let Err(error) = made {
            let _ = std::fs::remove_dir_all(&instance.dir);
            return Err(error);
        }
        Ok(instance)
    }

    /// Starts `instance` on `port` if given (remembered for later starts), else on its
    /// own port. Returns the instance as started.
    pub fn start(
        &self,
        instance: &Instance,
        port: Option<u16>,
        binaries: &Binaries,
        run_as: Option<RunAs>,
    ) -> Result<Instance, Error> {
        let mut instance = instance.clone();
        if let Some(port) = port.filter(|p| *p != instance.port) {
            instance.port = port;
            instance.write_conf(run_as)?;
        }
        crate::start(
            binaries,
            &instance.data(),
            instance.port,
            &instance.log(),
            run_as,
        )?;
        Ok(instance)
    }

    /// Stops `instance`'s server (fast: clients disconnected, data kept).
    pub fn stop(
        &self,
        instance: &Instance,
        binaries: &Binaries,
        run_as: Option<RunAs>,
    ) -> Result<(), Error> {
        crate::stop(binaries, &instance.data(), StopMode::Fast, run_as)
    }

    /// Stops `instance`'s server and deletes its folder, data included.
    pub fn remove(
        &self,
        instance: &Instance,
        binaries: &Binaries,
        run_as: Option<RunAs>,
    ) -> Result<(), Error> {
        crate::stop(binaries, &instance.data(), StopMode::Fast, run_as)?;
        std::fs::remove_dir_all(&instance.dir)
            .map_err(io_error(format!("removing {}", instance.dir.display())))
    }

    /// Makes `<state>/dev`, searchable by the server's OS user.
    fn ensure_root(&self, run_as: Option<RunAs>) -> Result<(), Error> {
        std::fs::create_dir_all(&self.root)
            .map_err(io_error(format!("creating {}", self.root.display())))?;
        if let Some(user) = run_as {
            user.check_reachable(&self.root)?;
        }
        Ok(())
    }
}

/// The first free port from the one `name` hashes to.
fn port_for(name: &str) -> Result<u16, Error> {
    // FNV-1a: stable across Rust versions, unlike the standard library's hasher.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let first = (hash % u64::from(PORT_SPREAD)) as u16;
    (0..PORT_SPREAD)
        .map(|i| FIRST_PORT + (first + i) % PORT_SPREAD)
        .find(|port| crate::port_is_free(*port))
        .map_or_else(crate::free_port, Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_folders_are_valid() {
        for (folder, name) in [
            ("tenant-service", "tenant-service"),
            ("My App", "my-app"),
            ("...", "default"),
            ("main", "main"),
        ] {
            assert_eq!(name_from_folder(folder), name);
            assert!(valid_name(&name_from_folder(folder)));
        }
        assert!(!valid_name("../etc"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(""));
    }
}
