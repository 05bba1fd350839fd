//! `GET /session`: who this device is signed in as.

use serde::Serialize;
use utoipa::ToSchema;

use crate::store::DeviceAuth;

#[derive(Serialize, ToSchema)]
pub struct Session {
    pub user: SessionUser,
    pub unit: SessionUnit,
    pub device: DeviceRef,
    /// Changes when the server's database is replaced: a phone that saw another epoch starts over.
    pub epoch: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionUser {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionUnit {
    pub code: String,
    pub name: String,
    pub path: String,
}

/// A device as its own token's answers name it.
#[derive(Serialize, ToSchema)]
pub struct DeviceRef {
    pub id: i64,
    /// The prefix every Automerge actor id of this device starts with.
    pub actor_prefix: String,
}

impl Session {
    pub fn of(d: &DeviceAuth, epoch: &str) -> Self {
        Session {
            user: SessionUser { id: d.user_id.clone(), name: d.user_name.clone(), role: d.role.clone() },
            unit: SessionUnit {
                code: d.unit_code.clone(),
                name: d.unit_name.clone(),
                path: d.unit_path.clone(),
            },
            device: DeviceRef { id: d.device_id, actor_prefix: d.actor_prefix.to_string() },
            epoch: epoch.to_string(),
        }
    }
}
