//! Enrolment, login and a person's own devices.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::session::DeviceRef;
use crate::store::IssuedDevice;
use crate::store::identity::{DeviceInfo, EnrolmentCode};

#[derive(Deserialize, ToSchema)]
pub struct EnrolRequest {
    pub phone: String,
    /// The one-time enrolment code an administrator issued.
    pub code: String,
    pub password: String,
    /// What to call this device (default 手机).
    pub label: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub phone: String,
    pub password: String,
    pub label: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RenameRequest {
    pub name: String,
}

/// A newly registered device and the token it signs in with from now on.
#[derive(Serialize, ToSchema)]
pub struct NewDevice {
    pub token: String,
    pub user: UserRef,
    pub device: DeviceRef,
}

#[derive(Serialize, ToSchema)]
pub struct UserRef {
    pub id: String,
}

impl NewDevice {
    pub fn of(user_id: &str, d: IssuedDevice) -> Self {
        NewDevice {
            token: d.token,
            user: UserRef { id: user_id.to_string() },
            device: DeviceRef { id: d.device_id, actor_prefix: d.actor_prefix.to_string() },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Token {
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Devices {
    pub devices: Vec<Device>,
}

/// One of the caller's devices.
#[derive(Serialize, ToSchema)]
pub struct Device {
    pub id: i64,
    pub label: String,
    pub created_at: i64,
    #[schema(required = true)]
    pub revoked_at: Option<i64>,
    /// Retired: it may upload once more, then it is revoked.
    #[schema(required = true)]
    pub retire_at: Option<i64>,
    /// The device that asked.
    pub current: bool,
}

impl Device {
    pub fn of(d: DeviceInfo, current_id: i64) -> Self {
        Device {
            current: d.id == current_id,
            id: d.id,
            label: d.label,
            created_at: d.created_at,
            revoked_at: d.revoked_at,
            retire_at: d.retire_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Renamed {
    pub id: i64,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct Revoked {
    pub id: i64,
    /// Always true.
    pub revoked: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Retiring {
    pub id: i64,
    /// Always true.
    pub retiring: bool,
}

/// An enrolment code for someone, as a link and (when the server's address is known) a QR code.
#[derive(Serialize, ToSchema)]
pub struct IssuedCode {
    pub user_id: String,
    pub code: String,
    pub expires_at: i64,
    /// Relative to the app's origin.
    pub link: String,
    /// Absolute, when the request said which host it was for.
    #[schema(required = true)]
    pub qr_link: Option<String>,
    /// `qr_link` as an SVG image.
    #[schema(required = true)]
    pub qr_svg: Option<String>,
}

impl IssuedCode {
    pub fn of(code: &EnrolmentCode, qr_link: Option<String>, qr_svg: Option<String>) -> Self {
        IssuedCode {
            user_id: code.user_id.clone(),
            code: code.code.clone(),
            expires_at: code.expires_at,
            link: code.link(""),
            qr_link,
            qr_svg,
        }
    }
}
