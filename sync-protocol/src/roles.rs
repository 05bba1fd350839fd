//! Who is who: the roles people hold and the kinds of unit they belong to, with every rule
//! that depends on a role alone. The PWA's `pwa/src/rules/roles.ts` is its twin; both run
//! `vectors/roles.json`, which a test here regenerates from this module
//! (`ANLAN_UPDATE_DOCS=1 cargo test -p sync-protocol roles`) and fails on when they drift.
//!
//! A role's *rank* decides what it may do to a case (`docs/permissions.md`, two columns); its
//! *level* decides what it may grant (never a role above one's own).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Every word, for error messages: "one of a, b, c".
            pub fn list() -> String {
                Self::ALL.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownWord { kind: stringify!($name), word: s.to_string() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{word}'")]
pub struct UnknownWord {
    pub kind: &'static str,
    pub word: String,
}

vocabulary!(
    /// The roles of the Safe Reservoir Area work, as stored and sent.
    Role {
        VillageOfficer = "village_officer",
        WorkTeam = "work_team",
        OpinionGuide = "opinion_guide",
        TownshipLeader = "township_leader",
        TownshipStaff = "township_staff",
        CountyAdmin = "county_admin",
        CityAdmin = "city_admin",
        PetitionStaff = "petition_staff",
        SystemAdmin = "system_admin",
    }
);

vocabulary!(
    /// The levels of the org tree, top down: each unit sits exactly one level under its parent.
    UnitKind {
        City = "city",
        County = "county",
        Township = "township",
        Village = "village",
        Group = "group",
    }
);

/// The two columns of the case-permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    /// Village officers, work-team members, opinion guides, petition staff.
    Field,
    /// Township leaders and staff, county and city administrators, system administrators.
    Leader,
}

impl Role {
    pub fn rank(self) -> Rank {
        use Role::*;
        match self {
            TownshipLeader | TownshipStaff | CountyAdmin | CityAdmin | SystemAdmin => Rank::Leader,
            VillageOfficer | WorkTeam | OpinionGuide | PetitionStaff => Rank::Field,
        }
    }

    pub fn is_leader(self) -> bool {
        self.rank() == Rank::Leader
    }

    /// Place in the hierarchy, for "never a role above one's own".
    pub fn level(self) -> u8 {
        use Role::*;
        match self {
            SystemAdmin => 6,
            CityAdmin => 5,
            CountyAdmin => 4,
            TownshipLeader => 3,
            TownshipStaff => 2,
            VillageOfficer | WorkTeam | OpinionGuide | PetitionStaff => 1,
        }
    }

    /// County, city and system administrators: they manage units and people of their subtree.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::CountyAdmin | Role::CityAdmin | Role::SystemAdmin)
    }

    /// The roles this one may give. A township leader looks after the township's own field staff.
    pub fn grantable(self) -> Vec<Role> {
        if self.is_admin() {
            Role::ALL.iter().copied().filter(|r| r.level() <= self.level()).collect()
        } else if self == Role::TownshipLeader {
            vec![Role::VillageOfficer, Role::WorkTeam]
        } else {
            Vec::new()
        }
    }

    pub fn may_grant(self, role: Role) -> bool {
        self.grantable().contains(&role)
    }

    /// Those who answer for a village: they write its sweep reports and are reminded of them.
    pub fn answers_for_village(self) -> bool {
        matches!(self, Role::VillageOfficer | Role::WorkTeam)
    }

    /// Those who record what they find in the field and see the field worker's home.
    pub fn works_in_field(self) -> bool {
        matches!(self, Role::VillageOfficer | Role::WorkTeam | Role::OpinionGuide)
    }

    /// Those who may chase a case (催办督办).
    pub fn chases(self) -> bool {
        matches!(self, Role::CountyAdmin | Role::CityAdmin)
    }

    /// Those who may write petitions (信访事项).
    pub fn handles_petitions(self) -> bool {
        self == Role::PetitionStaff || self.is_leader()
    }

    /// The one act that moves a statutory deadline, a petition's extension, is the petition
    /// office's alone.
    pub fn extends_petitions(self) -> bool {
        self == Role::PetitionStaff
    }

    /// Only a work-team member covers several villages.
    pub fn covers_several_villages(self) -> bool {
        self == Role::WorkTeam
    }

    /// The leaders alerted at a rung of the escalation ladder, and who get the daily digest.
    pub fn alerted_for(self) -> Option<UnitKind> {
        match self {
            Role::TownshipLeader => Some(UnitKind::Township),
            Role::CountyAdmin => Some(UnitKind::County),
            Role::CityAdmin => Some(UnitKind::City),
            _ => None,
        }
    }

    /// Which kinds of unit a person of this role belongs to: an officer filed under a township
    /// is a typo in the unit column, better caught at import than when their cases go nowhere.
    pub fn fits_unit(self, kind: UnitKind) -> bool {
        use Role::*;
        match self {
            VillageOfficer => kind == UnitKind::Village,
            WorkTeam => matches!(kind, UnitKind::Village | UnitKind::Township),
            TownshipLeader | TownshipStaff => kind == UnitKind::Township,
            CountyAdmin => kind == UnitKind::County,
            CityAdmin => kind == UnitKind::City,
            OpinionGuide | PetitionStaff | SystemAdmin => kind != UnitKind::Group,
        }
    }
}

impl UnitKind {
    /// A unit of this kind goes exactly one level under its parent: a village under a township.
    pub fn fits_under(self, parent: UnitKind) -> bool {
        self as usize == parent as usize + 1
    }
}

/// Shorthand for rules that take a role as stored text: unknown text has no rights.
pub fn role(text: &str) -> Option<Role> {
    text.parse().ok()
}

/// Does a person of this role (stored text) belong in a unit of this kind (stored text)? Unknown
/// text fits nowhere; see [`Role::fits_unit`].
pub fn fits(role: &str, kind: &str) -> bool {
    match (role.parse::<Role>(), kind.parse::<UnitKind>()) {
        (Ok(r), Ok(k)) => r.fits_unit(k),
        _ => false,
    }
}

/// Case rank of a role as stored text: anything unknown ranks as field staff.
pub fn rank(text: &str) -> Rank {
    role(text).map_or(Rank::Field, Role::rank)
}

#[cfg(test)]
#[path = "roles_tests.rs"]
mod tests;
