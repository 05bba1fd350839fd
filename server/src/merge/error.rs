//! What can go wrong in the merge, in the merge's own words. The merge does not know HTTP:
//! `crate::error` maps each of these to a status and code where a route returns it.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The request asks for something that cannot be done as asked.
    #[error("{0}")]
    Invalid(String),
    /// Not this person's to do.
    #[error("{0}")]
    Forbidden(String),
    /// No such thing, or not in this person's jurisdiction (indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// More than one request may carry.
    #[error("{0}")]
    TooLarge(String),
    /// Try again later: the documents were too contended to commit.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}
