//! The `anlan` command line. Flags may also come from `ANLAN_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::store::{NewUser, SqlStore};

#[derive(Parser)]
#[command(
    name = "anlan",
    version,
    about = "安澜 — offline-first field reporting for the Safe Reservoir Area work"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Db {
    /// Folder for the embedded SQLite database.
    #[arg(long, env = "ANLAN_DATA", default_value = "./data", global = true)]
    data: PathBuf,
    /// Use PostgreSQL instead: postgres://user@host/db (overrides --data).
    #[arg(long, env = "ANLAN_DATABASE_URL", global = true)]
    database_url: Option<String>,
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
    Serve {
        #[arg(long, env = "ANLAN_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed the Sanming demo hierarchy and accounts (idempotent).
        #[arg(long, env = "ANLAN_DEMO")]
        demo: bool,
        /// The built PWA to serve at `/`.
        #[arg(long, env = "ANLAN_STATIC_DIR", default_value = "pwa/dist")]
        static_dir: PathBuf,
        /// Documents kept loaded in memory.
        #[arg(long, env = "ANLAN_CACHE_DOCS", default_value_t = 5_000)]
        cache_docs: usize,
        #[command(flatten)]
        db: Db,
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
    /// Rebuild the case projection from the change log.
    Reproject {
        #[command(flatten)]
        db: Db,
    },
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
}

pub async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { listen, demo, static_dir, cache_docs, db } => {
            let url = db.url()?;
            if demo {
                let store = SqlStore::connect(&url).await?;
                crate::demo::seed(&store).await?;
            }
            let listener = tokio::net::TcpListener::bind(listen).await?;
            let addr = listener.local_addr()?;
            println!("listening on http://{addr}");
            if demo {
                crate::demo::print_logins(&addr.to_string());
            }
            let config = crate::Config { database_url: url, static_dir: Some(static_dir), cache_docs };
            crate::run(config, listener, shutdown_signal()).await
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
            println!("device {id} revoked");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
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
