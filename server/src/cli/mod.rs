//! The `anlan` command line. Flags may also come from `ANLAN_*` environment variables.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::store::FeedNotice;
use crate::store::{NewUser, SqlStore};

mod cpus;
mod file;
mod migrate;
mod quarantine;
mod serve;

#[derive(Parser)]
#[command(
    name = "anlan",
    version,
    about = "安澜 — offline-first field reporting for the Safe Reservoir Area work"
)]
struct Cli {
    /// Settings file (TOML: long options in snake_case); /etc/anlan/anlan.toml when it exists.
    /// Command-line flags and ANLAN_* variables override it.
    #[arg(long, env = "ANLAN_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Log lines as text for a terminal, or as one JSON object per line for a log collector
    /// (every request's span — id, route, device, user — comes along as fields).
    #[arg(long, env = "ANLAN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// `RUST_LOG` chooses what is logged (default: info, and only warnings from sqlx).
fn init_logs(format: LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).with_span_list(false).init(),
    }
}

#[derive(Args, Clone)]
pub(crate) struct Db {
    /// Folder for the embedded SQLite database.
    #[arg(long, env = "ANLAN_DATA", default_value = "./data", global = true)]
    pub(crate) data: PathBuf,
    /// Use PostgreSQL instead: postgres://user@host/db (overrides --data).
    #[arg(long, env = "ANLAN_DATABASE_URL", global = true)]
    pub(crate) database_url: Option<String>,
}

impl Db {
    fn url(&self) -> anyhow::Result<String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data)?;
        Ok(format!("sqlite://{}?mode=rwc", self.data.join("anlan.db").display()))
    }

    async fn open(&self) -> anyhow::Result<SqlStore> {
        Ok(SqlStore::connect(&self.url()?).await?)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(serve::Serve),
    /// The settings file: `config check [serve options]` prints the settings `serve` would run
    /// with (secrets masked) and where each comes from, and fails on an unknown setting.
    Config {
        #[command(subcommand)]
        what: ConfigCmd,
    },
    /// Manage org units, users and devices.
    Admin {
        #[command(subcommand)]
        what: Admin,
        #[command(flatten)]
        db: Db,
    },
    /// Write a consistent copy of the live SQLite database to DEST. Restoring it (copying it
    /// back as anlan.db) starts a new epoch, so phones re-send whatever the copy lacks.
    Backup {
        dest: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Start a new epoch by hand (after restoring a PostgreSQL dump).
    NewEpoch {
        #[command(flatten)]
        db: Db,
    },
    /// Copy the SQLite data folder into a new, empty PostgreSQL database and verify the copy
    /// table by table (stop the server first). Phones keep their epoch and cursors.
    Migrate(migrate::Migrate),
    /// Rebuild the case projection from the change log.
    Reproject {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum ConfigCmd {
    Check(serve::Serve),
}

#[derive(Subcommand)]
enum Admin {
    /// Add an org unit: `unit-add 350481101201 埔头村 --kind village --parent 350481101`.
    UnitAdd {
        code: String,
        name: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        parent: Option<String>,
    },
    UnitList,
    /// Add a person: `user-add u123 林秀英 --role village_officer --unit 350481101201`.
    UserAdd {
        id: String,
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        phone: Option<String>,
    },
    /// Issue a device token for a user. The token is shown once.
    DeviceAdd {
        user: String,
        #[arg(long, default_value = "phone")]
        label: String,
    },
    /// Revoke a lost device: its token stops working at once.
    DeviceRevoke {
        id: i64,
    },
    /// Issue a one-time enrolment code (valid 7 days) for a user with a phone number; prints the
    /// code and the link that opens the app's enrolment screen with both filled in.
    CodeIssue {
        user: String,
        /// Where people open the app.
        #[arg(long, env = "ANLAN_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
    /// Refused pushes kept for an administrator: `quarantine list|show|release|export`.
    Quarantine {
        #[command(subcommand)]
        what: quarantine::Quarantine,
    },
    /// A person who left: revoke every device of theirs and let no case name them again.
    UserDeactivate {
        user: String,
    },
    /// Move a person to another unit: `user-move --user u123 --unit 350481102201`. Their
    /// devices drop the old unit's records and receive the new one's on their next sync.
    UserMove {
        #[arg(long)]
        user: String,
        #[arg(long)]
        unit: String,
    },
    /// A work-team member's villages besides their own unit: list them, or `--add CODE` /
    /// `--remove CODE` one.
    UserVillages {
        #[arg(long)]
        user: String,
        #[arg(long, conflicts_with = "remove")]
        add: Option<String>,
        #[arg(long)]
        remove: Option<String>,
    },
    /// Import people from a CSV or XLSX roster (columns 姓名/name, 手机/phone, 角色/role,
    /// 单位/unit; optionally 编号/id, and 纬度/latitude with 经度/longitude placing the row's unit on
    /// the map). Every bad row is listed; nothing is imported unless all rows are good.
    RosterImport {
        file: PathBuf,
        /// Check and report only.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn main() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The schema version tells an operator which databases this binary can open (any older
    // one, migrated forward at start) and which release wrote a backup.
    let version = format!("{} (schema {})", env!("CARGO_PKG_VERSION"), SqlStore::schema_version());
    let mut cmd = Cli::command().version(&*Box::leak(version.into_boxed_str()));
    let mut from_file = Default::default();
    let path = file::locate(&args);
    if let Some(path) = &path {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        (cmd, from_file) = file::apply(cmd, &text).with_context(|| format!("in {}", path.display()))?;
    }
    let matches = cmd.clone().try_get_matches_from(&args).unwrap_or_else(|e| e.exit());
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    init_logs(cli.log_format);
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Config { what: ConfigCmd::Check(_) } => {
            let check = cmd.find_subcommand("config").and_then(|c| c.find_subcommand("check"));
            let sub = matches.subcommand_matches("config").and_then(|m| m.subcommand_matches("check"));
            let (Some(check), Some(sub)) = (check, sub) else { anyhow::bail!("no config check") };
            match &path {
                Some(p) => println!("# settings file: {}", p.display()),
                None => println!("# no settings file ({} does not exist)", file::DEFAULT_PATH),
            }
            print!("{}", file::describe(check, sub, &from_file));
            Ok(())
        }
        Command::Admin { what, db } => admin(what, db.open().await?).await,
        Command::Backup { dest, db } => {
            db.open().await?.backup_to(&dest).await?;
            println!("backup written to {}", dest.display());
            Ok(())
        }
        Command::NewEpoch { db } => {
            println!("new epoch {}", db.open().await?.new_epoch().await?);
            Ok(())
        }
        Command::Migrate(m) => migrate::run(m).await,
        Command::Reproject { db } => {
            println!("reprojected {} cases", crate::reproject::reproject(&db.open().await?).await?);
            Ok(())
        }
    }
}

async fn admin(what: Admin, store: SqlStore) -> anyhow::Result<()> {
    match what {
        Admin::UnitAdd { code, name, kind, parent } => {
            let u = store.create_unit(&code, &name, &kind, parent.as_deref()).await?;
            println!("unit {} {} ({}) {}", u.code, u.name, u.kind, u.path);
        }
        Admin::UnitList => {
            for u in store.units().await? {
                println!("{}\t{}\t{}\t{}", u.code, u.kind, u.name, u.path);
            }
        }
        Admin::UserAdd { id, name, role, unit, phone } => {
            store.create_user(&NewUser { id: id.clone(), name, phone, role, unit_code: unit }).await?;
            println!("user {id} added");
        }
        Admin::DeviceAdd { user, label } => {
            let d = store.issue_device(&user, &label, None).await?;
            println!(
                "device {} for {user}\ntoken (shown once): {}\nactor prefix: {}",
                d.device_id, d.token, d.actor_prefix
            );
        }
        Admin::DeviceRevoke { id } => {
            store.revoke_device(id).await?;
            store.announce_to_servers(FeedNotice::revoked(&[id])).await?;
            println!("device {id} revoked");
        }
        Admin::CodeIssue { user, base_url } => {
            let c = store.issue_enrolment_code(&user).await?;
            println!("enrolment code for {user} (one use, valid 7 days): {}", c.code);
            println!("link: {}", c.link(&base_url));
        }
        Admin::Quarantine { what } => quarantine::run(what, store).await?,
        Admin::UserDeactivate { user } => {
            let revoked = store.deactivate_user(&user).await?;
            store.announce_to_servers(FeedNotice::revoked(&revoked)).await?;
            println!("user {user} deactivated; every device of theirs is revoked");
        }
        Admin::UserMove { user, unit } => {
            let (who, to) = store.move_user(&user, &unit).await?;
            announce_scope_change(&store, &user).await?;
            println!("user {user} moved from {} {} to {} {}", who.unit.code, who.unit.name, to.code, to.name);
        }
        Admin::UserVillages { user, add, remove } => {
            if let Some(code) = &add {
                let v = store.add_village(&user, code).await?;
                println!("user {user} now also covers {} {}", v.code, v.name);
            } else if let Some(code) = &remove {
                store.remove_village(&user, code).await?;
                println!("user {user} no longer covers {code}");
            }
            if add.is_some() || remove.is_some() {
                announce_scope_change(&store, &user).await?;
            }
            let own = store.assignee(&user).await?.ok_or_else(|| anyhow::anyhow!("user {user} not found"))?;
            println!("{}\t{}\t(own unit)", own.unit.code, own.unit.name);
            for v in store.extra_villages(&user).await? {
                println!("{}\t{}", v.code, v.name);
            }
        }
        Admin::RosterImport { file, dry_run } => roster_import(&store, &file, dry_run).await?,
    }
    Ok(())
}

/// Tell the running servers, as the HTTP move does, so the person's open streams re-read
/// their scope at once.
async fn announce_scope_change(store: &SqlStore, user: &str) -> anyhow::Result<()> {
    let notice = FeedNotice::scope_changed(store.high_seq().await?, &[user.to_string()]);
    Ok(store.announce_to_servers(notice).await?)
}

async fn roster_import(store: &SqlStore, file: &std::path::Path, dry_run: bool) -> anyhow::Result<()> {
    let rows = crate::roster::read_file(file)?;
    let report = crate::roster::import(store, &rows, dry_run).await?;
    for bad in &report.bad {
        println!("line {}: {}", bad.line, bad.reason);
    }
    let n = report.good.len();
    if !report.bad.is_empty() {
        anyhow::bail!("{} bad row(s), {n} good: nothing imported", report.bad.len());
    }
    if dry_run {
        println!("{n} rows are good; dry run: nothing imported");
    } else {
        println!("imported {n} people");
    }
    Ok(())
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
