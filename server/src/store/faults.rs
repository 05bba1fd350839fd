//! Storage faults on demand, for tests only: a database that is "full" at a chosen size, and a
//! commit path whose n-th statement fails. Compiled out of production builds.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use super::{Result, StoreError};

/// Shared between a test and the store it configured; clones see the same settings.
#[derive(Clone, Default, Debug)]
pub struct Faults(Arc<Inner>);

#[derive(Default, Debug)]
struct Inner {
    /// SQLite `max_page_count` for the writer (0: the default, unlimited).
    max_pages: AtomicI64,
    /// Statements of the commit path left before one fails (0: none fails).
    fail_in: AtomicUsize,
}

impl Faults {
    /// The SQLite database is full once it holds `pages` pages; applied before each use of the
    /// writer, so raising it is "freeing space".
    pub fn limit_pages(&self, pages: i64) {
        self.0.max_pages.store(pages, Ordering::SeqCst);
    }

    pub(super) fn max_pages(&self) -> i64 {
        self.0.max_pages.load(Ordering::SeqCst)
    }

    /// The `n`-th statement of the commit path from now (1 = the next) fails as a full disk
    /// would; `0` disarms.
    pub fn fail_statement(&self, n: usize) {
        self.0.fail_in.store(n, Ordering::SeqCst);
    }

    /// Called before each statement of the commit path.
    pub(super) fn statement(&self) -> Result<()> {
        let hit = self
            .0
            .fail_in
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok_and(|before| before == 1);
        if hit {
            return Err(StoreError::Sql(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "injected: database or disk is full",
            ))));
        }
        Ok(())
    }
}
