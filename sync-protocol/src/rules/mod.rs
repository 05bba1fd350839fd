//! Rules shared with the PWA: each module has a TypeScript twin in `pwa/src/rules/` and test
//! vectors in `sync-protocol/vectors/` that both run.

pub mod clock;
pub mod overdue;
pub mod petition;
