//! The administrators' API: units, people, moving people, and roster imports.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::roster::BadRow;
use crate::store::{LatLon, NewUser, Unit, UserListing};

/// An org unit.
#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The parent's code; `null` for the root.
    #[schema(required = true)]
    pub parent: Option<String>,
    pub path: String,
    /// Where it is on the map (WGS-84 degrees), when the answer is about placing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

impl UnitView {
    pub fn of(u: &Unit) -> Self {
        Self::located(u, None)
    }

    pub fn located(u: &Unit, at: Option<LatLon>) -> Self {
        UnitView {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            parent: u.parent_code.clone(),
            path: u.path.clone(),
            latitude: at.map(|p| p.latitude),
            longitude: at.map(|p| p.longitude),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Units {
    pub units: Vec<UnitView>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewUnitRequest {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The parent unit's code.
    pub parent: String,
    /// Optional coordinates (WGS-84 degrees), both or neither.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Both or neither; `null`s take the unit off the map.
#[derive(Deserialize, ToSchema)]
pub struct LocationRequest {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Users {
    pub users: Vec<UserView>,
}

/// One person as an administrator's list shows them.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub phone: Option<String>,
    pub role: String,
    pub unit_code: String,
    pub unit_name: String,
    /// Has set a password (used an enrolment code).
    pub enrolled: bool,
    /// Devices not revoked.
    pub devices: i64,
    pub created_at: i64,
}

impl From<UserListing> for UserView {
    fn from(u: UserListing) -> Self {
        UserView {
            id: u.id,
            name: u.name,
            phone: u.phone,
            role: u.role,
            unit_code: u.unit_code,
            unit_name: u.unit_name,
            enrolled: u.enrolled,
            devices: u.devices,
            created_at: u.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// Chosen by the server when absent or blank.
    pub id: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub role: String,
    /// The unit's code.
    pub unit: String,
}

/// A person just added: not enrolled, no devices.
#[derive(Serialize, ToSchema)]
pub struct AddedUser {
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub phone: Option<String>,
    pub role: String,
    pub unit_code: String,
    pub enrolled: bool,
    pub devices: i64,
}

impl AddedUser {
    pub fn of(u: NewUser) -> Self {
        AddedUser {
            id: u.id,
            name: u.name,
            phone: u.phone,
            role: u.role,
            unit_code: u.unit_code,
            enrolled: false,
            devices: 0,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct MoveRequest {
    /// The new unit's code.
    pub unit: String,
}

#[derive(Serialize, ToSchema)]
pub struct Moved {
    pub user_id: String,
    pub unit: MovedTo,
}

#[derive(Serialize, ToSchema)]
pub struct MovedTo {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub path: String,
}

impl MovedTo {
    pub fn of(u: Unit) -> Self {
        MovedTo { code: u.code, name: u.name, kind: u.kind, path: u.path }
    }
}

/// What a roster upload found, and did.
#[derive(Serialize, ToSchema)]
pub struct RosterAnswer {
    pub dry_run: bool,
    pub imported: bool,
    /// Rows with nothing wrong in the file or in the caller's rights.
    pub good: usize,
    pub bad: Vec<RosterBadRow>,
    /// The people imported (empty unless `imported`).
    pub users: Vec<RosterUser>,
    /// Units placed on the map.
    pub placed: usize,
}

#[derive(Serialize, ToSchema)]
pub struct RosterBadRow {
    /// The row's line in the file.
    pub line: usize,
    pub reason: String,
}

impl RosterBadRow {
    pub fn of(b: &BadRow) -> Self {
        RosterBadRow { line: b.line, reason: b.reason.clone() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RosterUser {
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub phone: Option<String>,
    pub role: String,
    pub unit_code: String,
}

impl RosterUser {
    pub fn of(u: &NewUser) -> Self {
        RosterUser {
            id: u.id.clone(),
            name: u.name.clone(),
            phone: u.phone.clone(),
            role: u.role.clone(),
            unit_code: u.unit_code.clone(),
        }
    }
}
