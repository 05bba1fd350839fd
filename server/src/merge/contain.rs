//! Automerge decodes and applies a device's bytes, and it is not hardened against them: a
//! change with a valid checksum and crafted columns can make it panic deep in its op set. The
//! merge therefore touches a device's bytes only through this module, behind `catch_unwind`, so
//! such a change costs its document a `rejected/bad_change` and never the connection, the
//! request, or the other documents of the batch.
//!
//! A document that panicked half-way through an apply is in no known state: it is dropped
//! here, and the caller forgets its cached copy so the next reader loads it from storage.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{Automerge, AutomergeError, Change};
use futures::FutureExt;

/// Why a device's change could not be used.
#[derive(Debug)]
pub enum Unusable {
    /// Automerge refused it with an error.
    Refused(AutomergeError),
    /// Automerge panicked on it; the message is the panic's.
    Panicked(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Refused(e) => write!(f, "{e}"),
            Unusable::Panicked(why) => f.write_str(&bad_change(why)),
        }
    }
}

/// Decode one change as a device sent it.
pub fn decode(bytes: &[u8]) -> Result<Change, String> {
    match guard(|| Change::from_bytes(bytes.to_vec())) {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(e.to_string()),
        Err(why) => Err(bad_change(&why)),
    }
}

/// `doc` with `changes` applied. Taken by value: after a panic there is no document to return.
pub fn apply(mut doc: Automerge, changes: Vec<Change>) -> Result<Automerge, Unusable> {
    match guard(move || doc.apply_changes(changes).map(|()| doc)) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(e)) => Err(Unusable::Refused(e)),
        Err(why) => Err(Unusable::Panicked(why)),
    }
}

/// What the device is told about a change that made Automerge panic.
pub fn bad_change(why: &str) -> String {
    format!("malformed change contents ({why})")
}

/// Run `f`; a panic becomes `Err` with its message.
pub fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(p.as_ref()))
}

/// Await `fut`; a panic while it runs becomes `Err` with its message.
pub async fn guard_async<T>(fut: impl Future<Output = T>) -> Result<T, String> {
    AssertUnwindSafe(fut).catch_unwind().await.map_err(|p| panic_message(p.as_ref()))
}

pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    match (p.downcast_ref::<&str>(), p.downcast_ref::<String>()) {
        (Some(s), _) => (*s).to_string(),
        (_, Some(s)) => s.clone(),
        _ => "panic".to_string(),
    }
}
