//! Who wants which channel, and when not to be woken: a person's own settings (设置), over
//! their unit's defaults (set by an administrator), over the units above, over the built-in
//! default (SMS on, no quiet hours). Quiet hours hold back non-urgent messages only: an urgent
//! case is exactly what a leader must be woken for.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Hours of the day (Beijing time) in which non-urgent messages wait: `from` inclusive to `to`
/// exclusive, across midnight when `from > to` (22 → 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QuietHours {
    pub from: u8,
    pub to: u8,
}

const HOUR_MS: i64 = 3_600_000;
const BEIJING_OFFSET_MS: i64 = 8 * HOUR_MS;

impl QuietHours {
    pub fn new(from: i64, to: i64) -> Result<Self, AppError> {
        let hour = |h: i64| u8::try_from(h).ok().filter(|h| *h < 24);
        match (hour(from), hour(to)) {
            (Some(from), Some(to)) if from != to => Ok(Self { from, to }),
            _ => Err(AppError::BadRequest(
                "quiet hours are two different hours of the day, 0 to 23 (Beijing time)".into(),
            )),
        }
    }

    fn hour_of(now_ms: i64) -> u8 {
        ((now_ms + BEIJING_OFFSET_MS).rem_euclid(24 * HOUR_MS) / HOUR_MS) as u8
    }

    pub fn contains(&self, now_ms: i64) -> bool {
        let h = Self::hour_of(now_ms);
        if self.from < self.to { (self.from..self.to).contains(&h) } else { h >= self.from || h < self.to }
    }

    /// When the quiet hours that contain `now_ms` end (`now_ms` itself outside them).
    pub fn end_after(&self, now_ms: i64) -> i64 {
        if !self.contains(now_ms) {
            return now_ms;
        }
        let local = now_ms + BEIJING_OFFSET_MS;
        let day_start = local - local.rem_euclid(24 * HOUR_MS);
        let mut end = day_start + i64::from(self.to) * HOUR_MS;
        if end <= local {
            end += 24 * HOUR_MS;
        }
        end - BEIJING_OFFSET_MS
    }
}

/// One stored layer of settings (a person's, or a unit's default): `None` leaves a setting to
/// the layer below.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefsLayer {
    /// SMS when Web Push does not reach them in time.
    #[serde(default)]
    pub sms: Option<bool>,
    #[serde(default)]
    pub quiet_from: Option<i64>,
    #[serde(default)]
    pub quiet_to: Option<i64>,
}

impl PrefsLayer {
    /// Refuse half-given or impossible quiet hours before anything is stored.
    pub fn check(&self) -> Result<(), AppError> {
        match (self.quiet_from, self.quiet_to) {
            (None, None) => Ok(()),
            (Some(f), Some(t)) => QuietHours::new(f, t).map(|_| ()),
            _ => Err(AppError::BadRequest("quiet_from and quiet_to go together".into())),
        }
    }
}

/// The settings in force for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlertPrefs {
    pub sms: bool,
    pub quiet: Option<QuietHours>,
}

impl AlertPrefs {
    /// Resolve `layers`, nearest first (the person's, their unit's, its parent's…).
    pub fn resolve(layers: &[PrefsLayer]) -> Self {
        let sms = layers.iter().find_map(|l| l.sms).unwrap_or(true);
        let quiet = layers
            .iter()
            .find(|l| l.quiet_from.is_some())
            .and_then(|l| QuietHours::new(l.quiet_from?, l.quiet_to?).ok());
        Self { sms, quiet }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-01 00:00 Beijing time, in Unix ms.
    const MIDNIGHT: i64 = 1_796_054_400_000;

    #[test]
    fn quiet_hours_across_midnight_hold_until_the_morning() {
        let q = QuietHours::new(22, 7).unwrap();
        assert!(q.contains(MIDNIGHT + 23 * HOUR_MS));
        assert!(q.contains(MIDNIGHT + 3 * HOUR_MS));
        assert!(!q.contains(MIDNIGHT + 7 * HOUR_MS));
        assert!(!q.contains(MIDNIGHT + 12 * HOUR_MS));
        assert_eq!(q.end_after(MIDNIGHT + 3 * HOUR_MS), MIDNIGHT + 7 * HOUR_MS);
        assert_eq!(q.end_after(MIDNIGHT + 23 * HOUR_MS), MIDNIGHT + 31 * HOUR_MS);
        assert_eq!(q.end_after(MIDNIGHT + 12 * HOUR_MS), MIDNIGHT + 12 * HOUR_MS);
        let day = QuietHours::new(12, 14).unwrap();
        assert!(day.contains(MIDNIGHT + 13 * HOUR_MS) && !day.contains(MIDNIGHT + 14 * HOUR_MS));
    }

    #[test]
    fn impossible_quiet_hours_are_refused() {
        assert!(QuietHours::new(24, 7).is_err());
        assert!(QuietHours::new(7, 7).is_err());
        assert!(QuietHours::new(-1, 7).is_err());
        assert!(PrefsLayer { quiet_from: Some(22), ..Default::default() }.check().is_err());
    }

    #[test]
    fn the_nearest_layer_that_says_something_wins() {
        let me = PrefsLayer { sms: Some(false), ..Default::default() };
        let unit = PrefsLayer { sms: Some(true), quiet_from: Some(22), quiet_to: Some(7) };
        let p = AlertPrefs::resolve(&[me, unit]);
        assert!(!p.sms);
        assert_eq!(p.quiet, Some(QuietHours { from: 22, to: 7 }));
        assert_eq!(AlertPrefs::resolve(&[]), AlertPrefs { sms: true, quiet: None });
    }
}
