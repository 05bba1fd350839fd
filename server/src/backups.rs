//! Scheduled backups of the embedded SQLite database (`--backup-dir`, `--backup-every`,
//! `--backup-keep`): consistent online copies, as `anlan backup` makes, kept in rotation.
//!
//! Each copy is written under a `.partial` name and renamed once complete, so the folder only
//! ever holds whole backups and a crash mid-copy leaves nothing that looks restorable. Names
//! carry the UTC time to the millisecond, so sorting them by name sorts them by age.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::metrics::Metrics;
use crate::store::{SqlStore, now_ms};

#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: Duration,
    /// How many backups to keep; older ones are deleted after each new one.
    pub keep: usize,
}

const PREFIX: &str = "anlan-";
const SUFFIX: &str = ".db";

/// Take a backup now, then one every `every`, until shutdown. A failure is logged and
/// counted (`anlan_backup_failures_total`) and the next attempt comes at the next tick.
pub async fn run(store: SqlStore, s: BackupSchedule, metrics: Arc<Metrics>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(s.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        match take(&store, &s).await {
            Ok(path) => {
                metrics.backups_written.inc();
                metrics.last_backup_ms.set(now_ms() as u64);
                tracing::info!(path = %path.display(), "backup written");
            }
            Err(e) => {
                metrics.backup_failures.inc();
                tracing::error!(error = %e, dir = %s.dir.display(), "backup failed");
            }
        }
    }
}

/// One backup into `s.dir`, then rotation. Returns the new backup's path.
pub async fn take(store: &SqlStore, s: &BackupSchedule) -> anyhow::Result<PathBuf> {
    tokio::fs::create_dir_all(&s.dir).await?;
    let at = chrono::DateTime::from_timestamp_millis(now_ms()).unwrap_or_default();
    let name = format!("{PREFIX}{}{SUFFIX}", at.format("%Y%m%dT%H%M%S%.3fZ"));
    let done = s.dir.join(&name);
    let partial = s.dir.join(format!("{name}.partial"));
    let _ = tokio::fs::remove_file(&partial).await;
    store.backup_to(&partial).await?;
    tokio::fs::rename(&partial, &done).await?;
    rotate(&s.dir, s.keep)?;
    Ok(done)
}

/// The backups in `dir`, oldest first.
pub fn list(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn rotate(dir: &Path, keep: usize) -> std::io::Result<()> {
    let all = list(dir)?;
    for old in &all[..all.len().saturating_sub(keep.max(1))] {
        std::fs::remove_file(old)?;
    }
    Ok(())
}

/// `30m`, `6h`, `1d`, `90s` or plain seconds.
pub fn parse_every(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("{s:?}: expected a number and s, m, h or d (6h)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: the unit must be s, m, h or d")),
    };
    if secs == 0 {
        return Err("the backup interval must be longer than zero".into());
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_operators_write_them() {
        assert_eq!(parse_every("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_every("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_every("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_every("90"), Ok(Duration::from_secs(90)));
        assert!(parse_every("0h").is_err());
        assert!(parse_every("6 hours").is_err());
        assert!(parse_every("h").is_err());
    }
}
