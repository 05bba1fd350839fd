//! Human case numbers: `永安-2026-000123` — the county's short name, the year the case was
//! reported (Beijing time) and the county's running number for that year.
//!
//! Numbers for a whole request are drawn in one statement before the merge commit, rather
//! than one transaction per case: each is a trip to the database, and on PostgreSQL a flush.

use std::collections::HashMap;

use sync_protocol::UnitKind;

use super::MergeError;
use crate::store::{SqlStore, Unit};

pub enum Numbering {
    None,
    /// A new case in this county: issue the next number.
    Issue(Unit),
    /// A sealed number re-delivered after a restore: keep the counter past it.
    KeepPast(Unit, i64),
}

/// Draw the case numbers a request needs: `wants` holds each document's numbering and the time
/// its case was reported; the answer holds the number issued for each, in the same order.
pub async fn draw(store: &SqlStore, wants: &[(&Numbering, i64)]) -> Result<Vec<Option<String>>, MergeError> {
    let mut wanted: HashMap<(String, i32), i64> = HashMap::new();
    let mut keep_past = Vec::new();
    for (numbering, reported_at) in wants {
        let year = beijing_year(*reported_at);
        match numbering {
            Numbering::Issue(county) => *wanted.entry((county.code.clone(), year)).or_default() += 1,
            Numbering::KeepPast(county, n) => keep_past.push((county.code.clone(), year, *n)),
            Numbering::None => {}
        }
    }
    if wanted.is_empty() && keep_past.is_empty() {
        return Ok(vec![None; wants.len()]);
    }
    let wanted: Vec<_> = wanted.into_iter().map(|((c, y), n)| (c, y, n)).collect();
    let mut next = store.draw_case_numbers(&wanted, &keep_past).await?;
    Ok(wants
        .iter()
        .map(|(numbering, reported_at)| match numbering {
            Numbering::Issue(county) => {
                let year = beijing_year(*reported_at);
                let n = next.get_mut(&(county.code.clone(), year)).expect("drawn above");
                *n += 1;
                Some(format!("{}-{year}-{:06}", short_name(&county.name), *n - 1))
            }
            _ => None,
        })
        .collect())
}

/// The county a unit path lies in.
pub async fn county_of(store: &SqlStore, unit_path: &str) -> Result<Option<Unit>, MergeError> {
    let code = unit_path.split('/').rfind(|s| !s.is_empty()).unwrap_or_default();
    Ok(store.unit_chain(code).await?.into_iter().find(|u| u.is(UnitKind::County)))
}

/// 永安市 → 永安, 泰宁县 → 泰宁; 沙县 stays 沙县 (a one-character name needs its suffix).
pub fn short_name(name: &str) -> String {
    let n = name.chars().count();
    match name.chars().last() {
        Some('市' | '县' | '区') if n > 2 => name.chars().take(n - 1).collect(),
        _ => name.to_string(),
    }
}

use sync_protocol::calendar::beijing_year;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_names_shorten_like_people_say_them() {
        assert_eq!(short_name("永安市"), "永安");
        assert_eq!(short_name("泰宁县"), "泰宁");
        assert_eq!(short_name("沙县"), "沙县");
    }

    #[test]
    fn the_year_turns_at_midnight_beijing_time() {
        // 2025-12-31T16:00:00Z is 2026-01-01 00:00 in Beijing.
        assert_eq!(beijing_year(1_767_196_800_000), 2026);
        assert_eq!(beijing_year(1_767_196_799_999), 2025);
        // 2024-02-29 (a leap day), noon UTC.
        assert_eq!(beijing_year(1_709_208_000_000), 2024);
    }
}
