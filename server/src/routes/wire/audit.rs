//! A case's history.

use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::Entry;

#[derive(Serialize, ToSchema)]
pub struct History {
    pub doc: String,
    /// Every logged change, oldest first (`audit::Entry`: seq, received_at, change_time, hash,
    /// actor, server, user, device, and the fields it changed).
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<Entry>,
}
