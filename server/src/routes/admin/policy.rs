//! Who may administer whom: the "Administration" table of docs/permissions.md, read off the
//! stored role text. The rules themselves are `sync_protocol::roles`.
//!
//! Administrators (county, city, system) manage the units and people of their own subtree and
//! may give any role up to their own. A township leader looks after the township's own field
//! staff: they may list their township, add village officers and work-team members to it (one
//! by one or by roster) and hand those people enrolment codes; nothing else.

use sync_protocol::roles::{Role, UnitKind, role};

pub fn may_grant(actor: &str, granted: &str) -> bool {
    matches!((role(actor), role(granted)), (Some(a), Some(g)) if a.may_grant(g))
}

pub fn manages_people(actor: &str) -> bool {
    role(actor).is_some_and(|a| !a.grantable().is_empty())
}

pub fn manages_units(actor: &str) -> bool {
    role(actor).is_some_and(Role::is_admin)
}

/// A unit of `kind` goes exactly one level under its parent: a village under a township.
pub fn fits_under(kind: &str, parent_kind: &str) -> bool {
    match (kind.parse::<UnitKind>(), parent_kind.parse::<UnitKind>()) {
        (Ok(k), Ok(p)) => k.fits_under(p),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_that_names_no_role_grants_nothing() {
        assert!(may_grant("county_admin", "petition_staff"));
        assert!(!may_grant("county_admin", "city_admin"));
        assert!(!may_grant("county_admin", "overlord"));
        assert!(!may_grant("overlord", "village_officer"));
        assert!(manages_people("township_leader") && !manages_units("township_leader"));
    }

    #[test]
    fn units_go_one_level_down() {
        assert!(fits_under("village", "township"));
        assert!(!fits_under("village", "county"));
        assert!(!fits_under("city", "city"));
        assert!(!fits_under("hamlet", "village"));
    }
}
