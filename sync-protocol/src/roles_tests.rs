use serde_json::{Value, json};

use super::*;

const VECTORS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/roles.json");

/// Every role rule, written out per role: what the PWA's twin must answer too.
fn vectors() -> Value {
    let names = |roles: Vec<Role>| roles.into_iter().map(Role::as_str).collect::<Vec<_>>();
    let roles: Vec<Value> = Role::ALL
        .iter()
        .map(|&r| {
            json!({
                "role": r.as_str(),
                "rank": r.rank(),
                "level": r.level(),
                "is_admin": r.is_admin(),
                "grantable": names(r.grantable()),
                "answers_for_village": r.answers_for_village(),
                "works_in_field": r.works_in_field(),
                "chases": r.chases(),
                "handles_petitions": r.handles_petitions(),
                "extends_petitions": r.extends_petitions(),
                "covers_several_villages": r.covers_several_villages(),
                "alerted_for": r.alerted_for().map(UnitKind::as_str),
                "fits_unit": UnitKind::ALL.iter().filter(|&&k| r.fits_unit(k)).map(|k| k.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let kinds: Vec<Value> = UnitKind::ALL
        .iter()
        .map(|&k| {
            json!({
                "kind": k.as_str(),
                "fits_under": UnitKind::ALL.iter().filter(|&&p| k.fits_under(p)).map(|p| p.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "about": "Role and unit-kind rules shared by sync-protocol/src/roles.rs and pwa/src/rules/roles.ts. Generated: ANLAN_UPDATE_DOCS=1 cargo test -p sync-protocol roles",
        "roles": roles,
        "unit_kinds": kinds,
    })
}

#[test]
fn the_shared_role_vectors_match_the_rules() {
    let want = serde_json::to_string_pretty(&vectors()).unwrap() + "\n";
    if std::env::var_os("ANLAN_UPDATE_DOCS").is_some() {
        std::fs::write(VECTORS_PATH, &want).unwrap();
    }
    let have = std::fs::read_to_string(VECTORS_PATH).unwrap_or_default();
    assert!(
        have == want,
        "vectors/roles.json is out of date: run ANLAN_UPDATE_DOCS=1 cargo test -p sync-protocol roles"
    );
}

#[test]
fn every_word_reads_back_as_itself_and_nothing_else_parses() {
    for r in Role::ALL {
        assert_eq!(r.as_str().parse::<Role>(), Ok(*r));
        assert_eq!(serde_json::to_value(r).unwrap(), json!(r.as_str()));
    }
    for k in UnitKind::ALL {
        assert_eq!(k.as_str().parse::<UnitKind>(), Ok(*k));
    }
    assert!("Township_Leader".parse::<Role>().is_err());
    assert_eq!(rank("nobody"), Rank::Field);
}

#[test]
fn nobody_grants_a_role_above_their_own() {
    for actor in Role::ALL {
        for granted in actor.grantable() {
            assert!(granted.level() <= actor.level(), "{actor} grants {granted}");
        }
    }
    assert!(Role::CountyAdmin.may_grant(Role::PetitionStaff));
    assert!(!Role::CountyAdmin.may_grant(Role::CityAdmin));
    assert!(!Role::CityAdmin.may_grant(Role::SystemAdmin));
    assert_eq!(Role::TownshipLeader.grantable(), [Role::VillageOfficer, Role::WorkTeam]);
    assert!(Role::VillageOfficer.grantable().is_empty());
}

#[test]
fn units_sit_one_level_under_their_parent() {
    assert!(UnitKind::Village.fits_under(UnitKind::Township));
    assert!(!UnitKind::Village.fits_under(UnitKind::County));
    assert!(!UnitKind::City.fits_under(UnitKind::Group));
}
