//! Demo data: the Sanming hierarchy with the real place names from the source article, and three
//! accounts with well-known device tokens. For trying the system on a laptop only.

use sync_protocol::{Role, UnitKind};

use crate::store::{LatLon, NewUser, SqlStore};

/// (code, name, kind, parent)
const UNITS: &[(&str, &str, UnitKind, Option<&str>)] = &[
    ("350400", "三明市", UnitKind::City, None),
    ("350481", "永安市", UnitKind::County, Some("350400")),
    ("350481101", "曹远镇", UnitKind::Township, Some("350481")),
    ("350481101201", "埔头村", UnitKind::Village, Some("350481101")),
    ("350481101202", "曹远村", UnitKind::Village, Some("350481101")),
    ("350481102", "贡川镇", UnitKind::Township, Some("350481")),
    ("350481102201", "西门村", UnitKind::Village, Some("350481102")),
    ("350481102202", "丰海村", UnitKind::Village, Some("350481102")),
    ("350427", "沙县", UnitKind::County, Some("350400")),
    ("350427101", "凤岗街道", UnitKind::Township, Some("350427")),
    ("350427101201", "水美村", UnitKind::Village, Some("350427101")),
    ("350429", "泰宁县", UnitKind::County, Some("350400")),
    ("350429201", "梅口乡", UnitKind::Township, Some("350429")),
    ("350429201201", "水际村", UnitKind::Village, Some("350429201")),
    ("350429201201001", "下坊小组", UnitKind::Group, Some("350429201201")),
    ("350426", "尤溪县", UnitKind::County, Some("350400")),
    ("350426102", "西滨镇", UnitKind::Township, Some("350426")),
    ("350426102201", "过溪村", UnitKind::Village, Some("350426102")),
    ("350423", "清流县", UnitKind::County, Some("350400")),
    ("350423101", "龙津镇", UnitKind::Township, Some("350423")),
    ("350423101201", "城关村", UnitKind::Village, Some("350423101")),
];

/// (code, latitude, longitude): approximate places (WGS-84, to about a kilometre) for the map,
/// around 曹远镇 and 贡川镇 in 永安市 and the other counties' seats.
const PLACES: &[(&str, f64, f64)] = &[
    ("350481101", 25.925, 117.290),
    ("350481101201", 25.905, 117.262),
    ("350481101202", 25.931, 117.301),
    ("350481102", 26.082, 117.430),
    ("350481102201", 26.086, 117.421),
    ("350481102202", 26.101, 117.447),
    ("350427101201", 26.395, 117.793),
    ("350429201201", 26.860, 117.105),
    ("350426102201", 26.155, 118.035),
    ("350423101201", 26.178, 116.818),
];

/// (user id, name, role, unit, token)
pub const ACCOUNTS: &[(&str, &str, Role, &str, &str)] = &[
    ("u_demo_officer", "林秀英", Role::VillageOfficer, "350481101201", "anlan-demo-officer"),
    ("u_demo_leader", "陈建国", Role::TownshipLeader, "350481101", "anlan-demo-leader"),
    ("u_demo_county", "王志明", Role::CountyAdmin, "350481", "anlan-demo-county"),
];

/// (user id, phone) for enrolment by code. The numbers are made up (139 0000 000x).
pub const PHONES: &[(&str, &str)] =
    &[("u_demo_officer", "13900000001"), ("u_demo_leader", "13900000002"), ("u_demo_county", "13900000003")];

pub async fn seed(store: &SqlStore) -> anyhow::Result<()> {
    for (code, name, kind, parent) in UNITS {
        store.create_unit(code, name, kind.as_str(), *parent).await?;
    }
    for (code, lat, lon) in PLACES {
        store.set_unit_location(code, Some(LatLon::new(*lat, *lon)?)).await?;
    }
    for (id, name, role, unit, token) in ACCOUNTS {
        let user = NewUser {
            id: (*id).into(),
            name: (*name).into(),
            phone: None,
            role: role.as_str().into(),
            unit_code: (*unit).into(),
        };
        store.create_user(&user).await?;
        store.issue_device(id, "demo", Some(token)).await?;
    }
    // Separately, so databases seeded before the demo accounts had phones get them too.
    for (id, phone) in PHONES {
        store.set_phone_if_missing(id, phone).await?;
    }
    Ok(())
}

/// Print the token links and, for each account, a fresh one-time enrolment link (a new code on
/// every start: codes are stored hashed, so an earlier one cannot be shown again).
pub async fn print_logins(addr: &str, store: &SqlStore) -> anyhow::Result<()> {
    println!("demo accounts (open a link on a phone-sized browser to sign in):");
    for (_, name, role, _, token) in ACCOUNTS {
        println!("  {name} ({role}): http://{addr}/#/login?token={token}");
    }
    println!("enrolment links (phone + one-time code, valid 7 days; then set a password):");
    for (id, name, role, _, _) in ACCOUNTS {
        let code = store.issue_enrolment_code(id).await?;
        println!("  {name} ({role}) enrol: {}", code.link(&format!("http://{addr}")));
    }
    Ok(())
}
