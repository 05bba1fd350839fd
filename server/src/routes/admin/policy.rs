//! Who may administer whom: the "Administration" table of docs/permissions.md, in one place.
//!
//! Administrators (county, city, system) manage the units and people of their own subtree and
//! may give any role up to their own. A township leader looks after the township's own field
//! staff: they may list their township, add village officers and work-team members to it (one
//! by one or by roster) and hand those people enrolment codes; nothing else.

use crate::store::{ROLES, UNIT_KINDS};

pub const ADMINS: &[&str] = &["county_admin", "city_admin", "system_admin"];
const TOWNSHIP_GRANTS: &[&str] = &["village_officer", "work_team"];

/// Rank in the hierarchy, for "never a role above their own".
fn rank(role: &str) -> u8 {
    match role {
        "system_admin" => 6,
        "city_admin" => 5,
        "county_admin" => 4,
        "township_leader" => 3,
        "township_staff" => 2,
        _ => 1,
    }
}

/// The roles `actor` may give: never one above their own.
pub fn grantable(actor: &str) -> Vec<&'static str> {
    if ADMINS.contains(&actor) {
        ROLES.iter().copied().filter(|r| rank(r) <= rank(actor)).collect()
    } else if actor == "township_leader" {
        TOWNSHIP_GRANTS.to_vec()
    } else {
        Vec::new()
    }
}

pub fn may_grant(actor: &str, role: &str) -> bool {
    grantable(actor).contains(&role)
}

pub fn manages_people(actor: &str) -> bool {
    !grantable(actor).is_empty()
}

pub fn manages_units(actor: &str) -> bool {
    ADMINS.contains(&actor)
}

/// A unit of `kind` goes exactly one level under its parent: a village under a township.
pub fn fits_under(kind: &str, parent_kind: &str) -> bool {
    let at = |k: &str| UNIT_KINDS.iter().position(|x| *x == k);
    matches!((at(kind), at(parent_kind)), (Some(k), Some(p)) if k == p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_grants_a_role_above_their_own() {
        assert!(grantable("county_admin").contains(&"county_admin"));
        assert!(grantable("county_admin").contains(&"petition_staff"));
        assert!(!grantable("county_admin").contains(&"city_admin"));
        assert!(!grantable("county_admin").contains(&"system_admin"));
        assert!(grantable("city_admin").contains(&"city_admin"));
        assert!(!grantable("city_admin").contains(&"system_admin"));
        assert_eq!(grantable("township_leader"), ["village_officer", "work_team"]);
        assert!(grantable("village_officer").is_empty() && grantable("township_staff").is_empty());
        assert_eq!(grantable("system_admin").len(), ROLES.len());
    }

    #[test]
    fn units_go_one_level_down() {
        assert!(fits_under("village", "township"));
        assert!(!fits_under("village", "county"));
        assert!(!fits_under("city", "city"));
        assert!(!fits_under("hamlet", "village"));
    }
}
