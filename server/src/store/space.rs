//! Room to write: the data folder's free space against a floor, and storage errors as they
//! happen. Writes that grow the database (pushes, photo uploads) are refused below the floor,
//! while there is still room for the server's own bookkeeping, instead of at the wall.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use super::sql::now_ms;
use super::{Result, StoreError};

/// How long after a storage-full error the server counts as degraded, and the `Retry-After`
/// it sends: a client retrying sooner would only be refused again.
pub const RETRY_AFTER_SECS: u64 = 30;

/// Writes are refused when free space falls below either bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FreeSpaceFloor {
    pub min_bytes: u64,
    pub min_percent: f64,
}

impl Default for FreeSpaceFloor {
    fn default() -> Self {
        Self { min_bytes: 300 * 1000 * 1000, min_percent: 2.0 }
    }
}

/// `300MB`, `2GiB`, `500M`, `1048576`: a size for the command line (SI units are powers of
/// 1000, binary ones of 1024).
pub fn parse_bytes(s: &str) -> std::result::Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("{s:?} is not a size such as 300MB"))?;
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        "T" | "TB" => 1_000_000_000_000,
        "KIB" => 1 << 10,
        "MIB" => 1 << 20,
        "GIB" => 1 << 30,
        "TIB" => 1 << 40,
        other => return Err(format!("unknown size unit {other:?}: use B, KB, MB, GB, TB or KiB…TiB")),
    };
    Ok((number * scale as f64) as u64)
}

/// The data filesystem's space, as statvfs reports it to an unprivileged process.
#[derive(Debug, Clone, Copy)]
pub struct Free {
    pub available: u64,
    pub total: u64,
}

impl Free {
    fn below(&self, floor: &FreeSpaceFloor) -> bool {
        self.available < floor.min_bytes
            || (self.available as f64) < self.total as f64 * floor.min_percent / 100.0
    }
}

/// Why writes are refused right now, if they are.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    BelowFloor {
        available: u64,
    },
    /// The database said it is full; it stays so until a write succeeds or the retry window ends.
    Full,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::BelowFloor { available } => {
                write!(f, "free space on the data disk is below the floor ({available} bytes left)")
            }
            Refusal::Full => write!(f, "the database is full"),
        }
    }
}

#[derive(Debug)]
pub struct Space {
    /// The SQLite data folder; `None` on PostgreSQL, whose disk is not this machine's.
    dir: Option<PathBuf>,
    floor: Mutex<FreeSpaceFloor>,
    below_floor: AtomicBool,
    /// When the database last said it is full (ms), 0 when a write has succeeded since.
    full_at: AtomicI64,
    errors: AtomicU64,
    refused: AtomicU64,
}

impl Space {
    pub(super) fn new(dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            floor: Mutex::new(FreeSpaceFloor::default()),
            below_floor: AtomicBool::new(false),
            full_at: AtomicI64::new(0),
            errors: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    pub fn set_floor(&self, floor: FreeSpaceFloor) {
        *self.floor.lock().unwrap_or_else(|p| p.into_inner()) = floor;
    }

    /// The data filesystem's space (SQLite only).
    pub fn free(&self) -> Option<Free> {
        let dir = self.dir.as_ref()?;
        match rustix::fs::statvfs(dir) {
            Ok(s) => Some(Free { available: s.f_bavail * s.f_frsize, total: s.f_blocks * s.f_frsize }),
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "cannot read the data disk's free space");
                None
            }
        }
    }

    /// Why a write that grows the database would be refused now, if it would. Crossing the
    /// floor either way is logged once, not once per request.
    pub fn refusal(&self) -> Option<Refusal> {
        let floor = *self.floor.lock().unwrap_or_else(|p| p.into_inner());
        let below = self.free().filter(|f| f.below(&floor));
        let was_below = self.below_floor.swap(below.is_some(), Ordering::SeqCst);
        match (&below, was_below) {
            (Some(f), false) => tracing::warn!(
                available = f.available,
                floor_bytes = floor.min_bytes,
                floor_percent = floor.min_percent,
                "free space below the floor: refusing pushes and uploads until there is room"
            ),
            (None, true) => tracing::info!("free space above the floor again: accepting pushes and uploads"),
            _ => {}
        }
        if let Some(f) = below {
            return Some(Refusal::BelowFloor { available: f.available });
        }
        let full_at = self.full_at.load(Ordering::SeqCst);
        (full_at != 0 && now_ms() - full_at < RETRY_AFTER_SECS as i64 * 1000).then_some(Refusal::Full)
    }

    /// `Err(StorageFull)` when a write that grows the database should not be tried.
    pub fn check_room(&self) -> Result<()> {
        match self.refusal() {
            Some(r @ Refusal::BelowFloor { .. }) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                Err(StoreError::StorageFull(r.to_string()))
            }
            // A full database is tried again: freeing space needs no restart.
            _ => Ok(()),
        }
    }

    /// Count a failed write; a full database turns into [`StoreError::StorageFull`].
    pub(super) fn failed(&self, e: StoreError) -> StoreError {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if e.is_storage_full() {
            if self.full_at.swap(now_ms(), Ordering::SeqCst) == 0 {
                tracing::error!(error = %e, "the database is full: refusing writes until there is room");
            }
            self.refused.fetch_add(1, Ordering::Relaxed);
            return StoreError::StorageFull(e.to_string());
        }
        e
    }

    pub(super) fn succeeded(&self) {
        if self.full_at.swap(0, Ordering::SeqCst) != 0 {
            tracing::info!("the database accepts writes again");
        }
    }

    /// Failed writes since start (any storage error, full or not).
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Writes refused for want of space since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl StoreError {
    /// The database or its disk is full: SQLITE_FULL, PostgreSQL's `disk_full` (53100), or the
    /// operating system's ENOSPC.
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::StorageFull(_) => true,
            StoreError::Sql(sqlx::Error::Database(e)) => matches!(e.code().as_deref(), Some("13" | "53100")),
            StoreError::Sql(sqlx::Error::Io(e)) => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_bytes("300MB"), Ok(300_000_000));
        assert_eq!(parse_bytes("1.5 GB"), Ok(1_500_000_000));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3 parsecs").is_err());
    }

    #[test]
    fn the_floor_is_whichever_bound_is_higher() {
        let floor = FreeSpaceFloor { min_bytes: 300, min_percent: 2.0 };
        assert!(Free { available: 299, total: 1_000 }.below(&floor));
        assert!(!Free { available: 300, total: 1_000 }.below(&floor));
        assert!(Free { available: 1_999, total: 100_000 }.below(&floor));
        assert!(!Free { available: 2_000, total: 100_000 }.below(&floor));
    }

    #[test]
    fn crossing_the_floor_refuses_and_coming_back_accepts() {
        let space = Space::new(Some(std::env::temp_dir()));
        space.set_floor(FreeSpaceFloor { min_bytes: u64::MAX, min_percent: 0.0 });
        assert!(matches!(space.check_room(), Err(StoreError::StorageFull(_))));
        assert_eq!(space.refused(), 1);
        space.set_floor(FreeSpaceFloor { min_bytes: 0, min_percent: 0.0 });
        assert!(space.check_room().is_ok());
        assert_eq!(space.refusal(), None);
    }

    #[test]
    fn postgres_has_no_local_floor_but_its_disk_full_is_storage_full() {
        let space = Space::new(None);
        space.set_floor(FreeSpaceFloor { min_bytes: u64::MAX, min_percent: 100.0 });
        assert!(space.check_room().is_ok());
        let full = StoreError::Sql(sqlx::Error::Io(std::io::ErrorKind::StorageFull.into()));
        assert!(matches!(space.failed(full), StoreError::StorageFull(_)));
        assert_eq!(space.refusal(), Some(Refusal::Full));
        space.succeeded();
        assert_eq!(space.refusal(), None);
    }
}
