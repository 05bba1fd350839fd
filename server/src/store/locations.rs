//! Where units are: optional coordinates for the leaders' map, set by administrators.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::*;

/// A point in WGS-84 degrees, as phones report GPS.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub latitude: f64,
    pub longitude: f64,
}

impl LatLon {
    /// Both in range and finite, or a clear refusal.
    pub fn new(latitude: f64, longitude: f64) -> Result<Self> {
        if !(latitude.is_finite() && (-90.0..=90.0).contains(&latitude)) {
            return Err(StoreError::Invalid("latitude must be a number from -90 to 90".into()));
        }
        if !(longitude.is_finite() && (-180.0..=180.0).contains(&longitude)) {
            return Err(StoreError::Invalid("longitude must be a number from -180 to 180".into()));
        }
        Ok(LatLon { latitude, longitude })
    }
}

impl SqlStore {
    /// Place a unit on the map, or (None) take it off.
    pub async fn set_unit_location(&self, code: &str, at: Option<LatLon>) -> Result<()> {
        let done = sqlx::query("UPDATE units SET latitude = $2, longitude = $3 WHERE code = $1")
            .bind(code)
            .bind(at.map(|p| p.latitude))
            .bind(at.map(|p| p.longitude))
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("unit {code}")));
        }
        Ok(())
    }

    /// Every unit that has coordinates, by code.
    pub async fn unit_locations(&self) -> Result<HashMap<String, LatLon>> {
        let rows: Vec<(String, f64, f64)> = sqlx::query_as(
            "SELECT code, latitude, longitude FROM units WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, latitude, longitude)| (code, LatLon { latitude, longitude }))
            .collect())
    }
}
