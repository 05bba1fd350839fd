//! The people of the history: under the demo hierarchy's 三明市, generated counties of
//! townships of villages; one village officer per village, one leader per township, one county
//! administrator per county, each with one phone whose token is predictable (`histgen-…`) so
//! the measuring run can sign in as any of them.

use anlan_server::store::{NewUser, SqlStore};
use automerge::ActorId;
use sqlx::Connection;
use sync_protocol::ActorPrefix;

/// How big the city is.
#[derive(Debug, Clone)]
pub struct Shape {
    pub villages: usize,
    pub villages_per_township: usize,
    pub townships_per_county: usize,
}

impl Shape {
    pub fn townships(&self) -> usize {
        self.villages.div_ceil(self.villages_per_township)
    }

    pub fn counties(&self) -> usize {
        self.townships().div_ceil(self.townships_per_county)
    }

    pub fn township_of(&self, village: usize) -> usize {
        village / self.villages_per_township
    }

    pub fn county_of_township(&self, township: usize) -> usize {
        township / self.townships_per_county
    }
}

/// One person's phone: a device of the server and this run's writer session on it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub device_id: i64,
    pub token: String,
    pub actor: ActorId,
}

#[derive(Debug, Clone)]
pub struct Roster {
    pub shape: Shape,
    /// Village codes, by village index.
    pub villages: Vec<String>,
    /// Township codes, by township index.
    pub townships: Vec<String>,
    /// County codes, by county index.
    pub counties: Vec<String>,
    pub officers: Vec<Actor>,
    pub leaders: Vec<Actor>,
    pub county_admins: Vec<Actor>,
}

/// Generated counties are `3504{60+c}`, under the demo city 三明市 (350400).
pub fn county_code(c: usize) -> String {
    format!("3504{:02}", 60 + c)
}

impl Roster {
    /// Create the units, people and phones of `shape` (the demo hierarchy first).
    pub async fn create(store: &SqlStore, shape: &Shape) -> anyhow::Result<Roster> {
        anlan_server::demo::seed(store).await?;
        let mut r = Roster {
            shape: shape.clone(),
            villages: vec![],
            townships: vec![],
            counties: vec![],
            officers: vec![],
            leaders: vec![],
            county_admins: vec![],
        };
        for c in 0..shape.counties() {
            let code = county_code(c);
            store.create_unit(&code, &format!("史县{c}"), "county", Some("350400")).await?;
            r.county_admins.push(person(store, &format!("h_c{c}"), "county_admin", &code).await?);
            r.counties.push(code);
        }
        for t in 0..shape.townships() {
            let county = &r.counties[shape.county_of_township(t)];
            let code = format!("{county}{:03}", 100 + t % shape.townships_per_county);
            store.create_unit(&code, &format!("史镇{t}"), "township", Some(county)).await?;
            r.leaders.push(person(store, &format!("h_l{t}"), "township_leader", &code).await?);
            r.townships.push(code);
        }
        for v in 0..shape.villages {
            let township = r.townships[shape.township_of(v)].clone();
            let code = format!("{township}{:03}", 200 + v % shape.villages_per_township);
            store.create_unit(&code, &format!("史村{v}"), "village", Some(&township)).await?;
            r.officers.push(person(store, &format!("h_o{v}"), "village_officer", &code).await?);
            r.villages.push(code);
        }
        Ok(r)
    }
}

async fn person(store: &SqlStore, id: &str, role: &str, unit: &str) -> anyhow::Result<Actor> {
    let name = format!("史{id}");
    let user = NewUser { id: id.into(), name, phone: None, role: role.into(), unit_code: unit.into() };
    store.create_user(&user).await?;
    let token = format!("histgen-{id}");
    let issued = store.issue_device(id, "histgen", Some(&token)).await?;
    let actor = ActorPrefix::new_actor(&issued.actor_prefix);
    Ok(Actor { user_id: id.into(), device_id: issued.device_id, token, actor })
}

/// Enrol the history's phones at `at` (Unix ms): the start of the history, not the moment the
/// generator created them (see the module note).
pub async fn backdate(url: &str, at: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE devices SET created_at = $1 WHERE label = 'histgen'";
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await?;
        sqlx::query(SQL).bind(at).execute(&mut c).await?;
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query(SQL).bind(at).execute(&mut c).await?;
    }
    Ok(())
}
