//! `anlan admin quarantine …`: the quarantine from the command line, for every jurisdiction.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;

use crate::live::LiveHub;
use crate::merge::Merger;
use crate::metrics::Metrics;
use crate::routes::wire::quarantine::{Document, Export};
use crate::store::{Dialect, QuarantineEntry, SqlStore};

#[derive(Subcommand)]
pub enum Quarantine {
    /// Refused pushes waiting for an administrator, newest first: who, which device, which
    /// document, when, why.
    List {
        /// Include released items.
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 200)]
        limit: i64,
    },
    /// One item, with the document as it is stored and as it would read with the item's changes.
    Show { id: i64 },
    /// Judge the item's document again under today's rules and scope (e.g. after a person's
    /// unit was corrected); stored if it passes, left waiting with the new reason if not.
    Release { id: i64 },
    /// Write the item (its details, its changes in base64, the document as it would read) as JSON.
    Export {
        id: i64,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Who a release from the command line is recorded as.
const CLI_ACTOR: &str = "anlan admin (command line)";

pub async fn run(what: Quarantine, store: SqlStore) -> anyhow::Result<()> {
    match what {
        Quarantine::List { all, limit } => {
            let items = store.quarantine_list(None, all, limit).await?;
            if items.is_empty() {
                println!("the quarantine is empty");
            }
            for q in items {
                println!("{}", line(&q));
            }
        }
        Quarantine::Show { id } => {
            let entry = entry(&store, id).await?;
            let view = Document::from(merger(store).await?.quarantine_view(&entry).await?);
            println!("{}", line(&entry));
            println!("{}", serde_json::to_string_pretty(&view)?);
        }
        Quarantine::Release { id } => {
            let entry = entry(&store, id).await?;
            let result = merger(store).await?.release(&entry, CLI_ACTOR).await?;
            match result.reason {
                None if result.status == sync_protocol::wire::Status::Ok => {
                    println!("item {id}: released and stored ({})", entry.doc)
                }
                None => anyhow::bail!(
                    "item {id}: the server lacks earlier changes of {}; still waiting",
                    entry.doc
                ),
                Some(r) => {
                    anyhow::bail!("item {id}: refused again, still waiting: {:?} {}", r.code, r.message)
                }
            }
        }
        Quarantine::Export { id, out } => {
            let (entry, changes) =
                store.quarantine_item(id).await?.ok_or_else(|| anyhow::anyhow!("no quarantine item {id}"))?;
            let view = Document::from(merger(store).await?.quarantine_view(&entry).await?);
            // The same file as the administrators' download (`GET /admin/quarantine/{id}/export`).
            let json = serde_json::to_string_pretty(&Export::of(&entry, &changes, view)?)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, json)?;
                    println!("item {id} written to {}", path.display());
                }
                None => println!("{json}"),
            }
        }
    }
    Ok(())
}

async fn entry(store: &SqlStore, id: i64) -> anyhow::Result<QuarantineEntry> {
    Ok(store.quarantine_item(id).await?.ok_or_else(|| anyhow::anyhow!("no quarantine item {id}"))?.0)
}

/// A merger of its own: the command line judges through the same pipeline as a sync.
async fn merger(store: SqlStore) -> anyhow::Result<Merger> {
    let live = LiveHub::new(store.dialect == Dialect::Postgres);
    Ok(Merger::new(store, 16, Arc::new(Metrics::default()), live).await?)
}

fn line(q: &QuarantineEntry) -> String {
    let state = match (&q.released_at, &q.released_by) {
        (Some(_), Some(by)) => format!("released by {by}"),
        _ => "waiting".to_string(),
    };
    format!(
        "#{} {} · {} {} ({} {}) · device {} {} · doc {} · {}: {} · {}",
        q.id,
        when(q.received_at),
        q.user_id,
        q.user_name,
        q.unit_code,
        q.unit_name,
        q.device_id,
        q.device_label,
        q.doc,
        q.code,
        q.message,
        state
    )
}

/// Unix milliseconds as Beijing time, as people in the field read it.
fn when(ms: i64) -> String {
    sync_protocol::calendar::beijing_minute(ms)
}
