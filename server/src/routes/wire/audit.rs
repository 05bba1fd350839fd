//! A case's history.

use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::Entry;

#[derive(Serialize, ToSchema)]
pub struct History {
    pub doc: String,
    /// Every logged change, oldest first.
    pub entries: Vec<Entry>,
}
