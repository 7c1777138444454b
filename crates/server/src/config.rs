//! Settings: `RAPPORT_*` environment variables, each also a flag of
//! `rapport serve`. Defaults give a zero-configuration personal instance.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};

pub use rapport_core::account::RegistrationMode;

/// `RAPPORT_REGISTRATION` / `--registration`: one of the core's modes.
fn registration_mode() -> impl clap::builder::TypedValueParser<Value = RegistrationMode> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(RegistrationMode::ALL.map(RegistrationMode::as_str))
        .map(|name| RegistrationMode::parse(&name).unwrap_or(RegistrationMode::Invite))
}

/// Where the data lives; shared by every subcommand that opens the database.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Directory for the SQLite database and the generated JWT secret.
    #[arg(long, env = "RAPPORT_DATA_DIR", default_value = "./rapport-data")]
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: SQLite in the data directory.
    #[arg(long, env = "RAPPORT_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DataArgs {
    /// The database URL, creating the data directory for the SQLite default.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                self.data_dir.display()
            )
        })?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("rapport.db").display()
        ))
    }
}

/// `rapport serve` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "RAPPORT_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    #[command(flatten)]
    pub data: DataArgs,
    /// HS256 key for access tokens, at least 32 bytes; default: generated
    /// on first start and kept in the data directory (mode 0600).
    #[arg(long, env = "RAPPORT_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Who may register: open, invite (admin-issued codes) or closed.
    #[arg(
        long,
        env = "RAPPORT_REGISTRATION",
        value_parser = registration_mode(),
        default_value = "invite"
    )]
    pub registration: RegistrationMode,
    /// The URL people use to reach this instance, e.g. https://rapport.example.com.
    #[arg(long, env = "RAPPORT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Log filter, e.g. `info` or `rapport_server=debug,info`.
    #[arg(long, env = "RAPPORT_LOG", default_value = "info")]
    pub log: String,
    /// Take the client address from X-Forwarded-For / Forwarded (only
    /// behind a reverse proxy that sets them).
    #[arg(long, env = "RAPPORT_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// HTTP worker threads; default: one per core.
    #[arg(long, env = "RAPPORT_WORKERS")]
    pub workers: Option<usize>,
    /// Memory for remembered network views and contact lists, in MiB
    /// (0 turns the cache off).
    #[arg(long, env = "RAPPORT_CACHE_MB", default_value_t = 64)]
    pub cache_mb: usize,
    /// Who may create teams: anyone, or admins (the instance's admins).
    #[arg(long, env = "RAPPORT_TEAMS", value_parser = ["anyone", "admins"], default_value = "admins")]
    pub teams: String,
}

/// `RAPPORT_TEAMS`: who may create teams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TeamCreation {
    /// Any user of the instance.
    Anyone,
    /// The instance's admins only (the default).
    #[default]
    Admins,
}

/// Login throttling: a burst and a steady rate, per account and per address.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_account_burst: u32,
    pub per_account_interval: Duration,
    pub per_address_burst: u32,
    pub per_address_interval: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account_burst: 10,
            per_account_interval: Duration::from_secs(30),
            per_address_burst: 30,
            per_address_interval: Duration::from_secs(2),
        }
    }
}

/// Public card drops: a burst and a steady rate per client address.
#[derive(Debug, Clone, Copy)]
pub struct CardDropLimits {
    pub per_address_burst: u32,
    pub per_address_interval: Duration,
}

impl Default for CardDropLimits {
    fn default() -> Self {
        CardDropLimits {
            per_address_burst: 10,
            per_address_interval: Duration::from_secs(6),
        }
    }
}

/// Everything the application needs, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: String,
    pub database_url: String,
    pub jwt_secret: Vec<u8>,
    pub registration: RegistrationMode,
    pub public_url: Option<String>,
    pub trust_proxy: bool,
    pub workers: Option<usize>,
    /// Bytes of remembered answers (see `crate::cache`); 0: none.
    pub cache_bytes: usize,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub login_limits: LoginLimits,
    pub card_drop_limits: CardDropLimits,
    /// Password hashes computed at once (at most the number of cores).
    pub hash_parallelism: usize,
    /// Password hashes waiting or running before new ones get 503.
    pub hash_queue: usize,
    /// What time it is, for users' days (tests set it to a fixed instant).
    pub clock: Clock,
    /// Who may create teams.
    pub teams: TeamCreation,
}

/// The time of day that decides what "today" is for each user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    /// Always this instant (tests of days around midnight).
    Fixed(chrono::DateTime<chrono::Utc>),
}

impl Clock {
    pub fn now(self) -> chrono::DateTime<chrono::Utc> {
        match self {
            Clock::System => chrono::Utc::now(),
            Clock::Fixed(at) => at,
        }
    }
}

pub const MIN_JWT_SECRET_BYTES: usize = 32;
pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

impl Config {
    /// A configuration with the defaults for a database URL and secret.
    pub fn new(database_url: String, jwt_secret: Vec<u8>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Config {
            addr: "127.0.0.1:8080".to_owned(),
            database_url,
            jwt_secret,
            registration: RegistrationMode::Invite,
            public_url: None,
            trust_proxy: false,
            workers: None,
            cache_bytes: 64 * 1024 * 1024,
            access_ttl: ACCESS_TTL,
            refresh_ttl: REFRESH_TTL,
            login_limits: LoginLimits::default(),
            card_drop_limits: CardDropLimits::default(),
            hash_parallelism: cores,
            hash_queue: cores * 16,
            clock: Clock::System,
            teams: TeamCreation::Admins,
        }
    }

    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Self> {
        let database_url = args.data.database_url()?;
        let secret = match &args.jwt_secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => load_or_create_secret(&args.data.data_dir)?,
        };
        if secret.len() < MIN_JWT_SECRET_BYTES {
            bail!("RAPPORT_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long");
        }
        if let Some(url) = &args.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("RAPPORT_PUBLIC_URL must start with http:// or https://");
            }
        }
        let mut config = Config::new(database_url, secret);
        config.addr = args.addr.clone();
        config.registration = args.registration;
        config.public_url = args
            .public_url
            .as_ref()
            .map(|u| u.trim_end_matches('/').to_owned());
        config.trust_proxy = args.trust_proxy;
        config.workers = args.workers;
        config.cache_bytes = args.cache_mb.saturating_mul(1024 * 1024);
        config.teams = match args.teams.as_str() {
            "anyone" => TeamCreation::Anyone,
            _ => TeamCreation::Admins,
        };
        Ok(config)
    }
}

/// Reads the generated secret, or creates one readable by the owner only.
fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read(&path) {
        return Ok(existing);
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).context("no randomness available")?;
    let secret = crate::auth::encode_base64url(&bytes).into_bytes();
    write_private_file(&path, &secret)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a JWT secret");
    Ok(secret)
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("rapport-secret-{}", uuid::Uuid::new_v4()));
        let first = load_or_create_secret(&dir).unwrap();
        let second = load_or_create_secret(&dir).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= MIN_JWT_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("jwt-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
