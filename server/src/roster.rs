//! Roster import: a county's people from a CSV or XLSX file, all or nothing.
//!
//! Columns are found by their header (Chinese or English, any order): 姓名/name, 手机/phone,
//! 角色/role, 单位/unit (the unit code), and optionally 编号/id and 纬度/latitude with
//! 经度/longitude (where the row's unit is, WGS-84 degrees, for the leaders' map: both or
//! neither, and one place per unit across the file). Every bad row is reported with
//! its line number as a spreadsheet shows it (the header is line 1) and the reason; nothing is
//! imported unless every row is good, and then all rows go in one transaction.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use crate::store::identity::normalise_phone;
use sync_protocol::roles::{self, Role, UnitKind};

use crate::store::{LatLon, NewUser, SqlStore, Unit};

/// One row as read: its line number and its cells as text.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub line: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub good: Vec<NewUser>,
    pub bad: Vec<BadRow>,
    /// True when the good rows were written (a real run with no bad row).
    pub imported: bool,
    /// The line of each of `good`, in the same order.
    pub good_lines: Vec<usize>,
    /// (user id, village code): the villages a work-team member listed after their first.
    pub villages: Vec<(String, String)>,
    /// (unit code, where it is, line): coordinates the good rows give their unit.
    pub locations: Vec<(String, LatLon, usize)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The role names people write in rosters, mapped to the system's roles.
const ROLE_NAMES: &[(&str, Role)] = &[
    ("信息员", Role::VillageOfficer),
    ("村信息员", Role::VillageOfficer),
    ("库区维稳信息员", Role::VillageOfficer),
    ("工作队员", Role::WorkTeam),
    ("群众工作队队员", Role::WorkTeam),
    ("库区维稳群众工作队队员", Role::WorkTeam),
    ("舆情引导员", Role::OpinionGuide),
    ("网络舆情引导员", Role::OpinionGuide),
    ("乡镇领导", Role::TownshipLeader),
    ("乡镇分管领导", Role::TownshipLeader),
    ("乡镇工作人员", Role::TownshipStaff),
    ("综治中心工作人员", Role::TownshipStaff),
    ("县级管理员", Role::CountyAdmin),
    ("县移民局", Role::CountyAdmin),
    ("市级管理员", Role::CityAdmin),
    ("市移民局", Role::CityAdmin),
    ("信访工作人员", Role::PetitionStaff),
    ("信访接待室工作人员", Role::PetitionStaff),
    ("系统管理员", Role::SystemAdmin),
];

pub fn parse_role(raw: &str) -> Option<&'static str> {
    let r = raw.trim();
    let lower = r.to_ascii_lowercase();
    lower
        .parse::<Role>()
        .ok()
        .or_else(|| ROLE_NAMES.iter().find(|(zh, _)| *zh == r).map(|(_, role)| *role))
        .map(Role::as_str)
}

/// Read a roster file: `.csv` (UTF-8, with or without BOM) or a spreadsheet (`.xlsx`, `.xls`,
/// `.ods`; the first sheet).
pub fn read_file(path: &Path) -> Result<Vec<RawRow>, RosterError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext == "csv" {
        let bytes = std::fs::read(path).map_err(|e| RosterError::File(format!("{}: {e}", path.display())))?;
        read_csv(&bytes)
    } else {
        read_sheet(path)
    }
}

pub fn read_csv(bytes: &[u8]) -> Result<Vec<RawRow>, RosterError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(RosterError::File(
            "the CSV file is not UTF-8: save it as \"CSV UTF-8\" (Excel) and try again".into(),
        ));
    }
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| RosterError::File(format!("CSV: {e}")))?;
        let line = rec.position().map_or(rows.len() + 1, |p| p.line() as usize);
        rows.push(RawRow { line, cells: rec.iter().map(str::to_string).collect() });
    }
    Ok(rows)
}

fn read_sheet(path: &Path) -> Result<Vec<RawRow>, RosterError> {
    let bad = |e: String| RosterError::File(format!("{}: {e}", path.display()));
    let mut wb = open_workbook_auto(path).map_err(|e| bad(e.to_string()))?;
    sheet_rows(&mut wb).map_err(bad)
}

/// A spreadsheet uploaded over HTTP (the first sheet), read in memory.
pub fn read_sheet_bytes(bytes: &[u8]) -> Result<Vec<RawRow>, RosterError> {
    let bad = |e: String| RosterError::File(format!("the spreadsheet cannot be read: {e}"));
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    sheet_rows(&mut wb).map_err(bad)
}

fn sheet_rows<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Sheets<RS>,
) -> Result<Vec<RawRow>, String> {
    let first = wb.sheet_names().first().cloned().ok_or_else(|| "the workbook has no sheet".to_string())?;
    let range = wb.worksheet_range(&first).map_err(|e| e.to_string())?;
    let top = range.start().map_or(0, |(row, _)| row as usize);
    let left = range.start().map_or(0, |(_, col)| col as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Keep the cells' columns as the sheet has them, even when column A is empty.
            let mut out = vec![String::new(); left];
            out.extend(cells.iter().map(cell_text));
            RawRow { line: top + i + 1, cells: out }
        })
        .collect())
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        // Phone numbers typed into Excel become numbers: 13800000000, not 13800000000.0.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Columns {
    name: usize,
    phone: usize,
    role: usize,
    unit: usize,
    id: Option<usize>,
    at: Option<(usize, usize)>,
}

fn header_key(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '_'], "")
}

fn find_columns(header: &RawRow) -> Result<Columns, String> {
    let keys: Vec<String> = header.cells.iter().map(|c| header_key(c)).collect();
    let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
    let mut missing = Vec::new();
    let mut need = |names: &[&str], label: &str| {
        find(names).or_else(|| {
            missing.push(label.to_string());
            None
        })
    };
    let name = need(&["姓名", "name"], "姓名/name");
    let phone = need(&["手机", "手机号", "手机号码", "电话", "phone", "mobile"], "手机/phone");
    let role = need(&["角色", "role"], "角色/role");
    let unit = need(&["单位", "单位代码", "单位编码", "unit", "unitcode"], "单位/unit");
    match (name, phone, role, unit) {
        (Some(name), Some(phone), Some(role), Some(unit)) => {
            let lat = find(&["纬度", "latitude", "lat"]);
            let lon = find(&["经度", "longitude", "lon", "lng"]);
            let at = match (lat, lon) {
                (Some(lat), Some(lon)) => Some((lat, lon)),
                (None, None) => None,
                _ => return Err("give both columns 纬度/latitude and 经度/longitude, or neither".into()),
            };
            Ok(Columns { name, phone, role, unit, id: find(&["编号", "id", "userid", "用户编号"]), at })
        }
        _ => Err(format!("the header row lacks the column(s) {}", missing.join(", "))),
    }
}

/// A value for a message: short, with control characters shown escaped.
fn shown(s: &str) -> String {
    let short: String = s.chars().take(24).collect();
    let more = if s.chars().count() > 24 { "…" } else { "" };
    format!("{:?}{more}", short)
}

pub fn fresh_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let tail: String = (0..10).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect();
    format!("u_{tail}")
}

/// Check every row against the file itself and the database; nothing is written.
pub async fn check(store: &SqlStore, rows: &[RawRow]) -> Result<Report, RosterError> {
    let mut report = Report::default();
    let Some(header) = rows.iter().find(|r| r.cells.iter().any(|c| !c.trim().is_empty())) else {
        report.bad.push(BadRow { line: 1, reason: "the file is empty".into() });
        return Ok(report);
    };
    let cols = match find_columns(header) {
        Ok(c) => c,
        Err(reason) => {
            report.bad.push(BadRow { line: header.line, reason });
            return Ok(report);
        }
    };
    let units: HashMap<String, Unit> =
        store.units().await?.into_iter().map(|u| (u.code.clone(), u)).collect();
    let data: Vec<&RawRow> = rows
        .iter()
        .filter(|r| r.line > header.line && r.cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    let phones: Vec<String> =
        data.iter().filter_map(|r| normalise_phone(cell(r, cols.phone))).collect::<Vec<_>>();
    let owners = store.phone_owners(&phones).await?;
    let mut seen_phone: HashMap<String, usize> = HashMap::new();
    let mut seen_id: HashMap<String, usize> = HashMap::new();
    let mut placed: HashMap<String, (LatLon, usize)> = HashMap::new();
    for r in data {
        let mut why = Vec::new();
        let name = cell(r, cols.name).trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            why.push(format!("name {} must be 1–40 printable characters", shown(name)));
        }
        let raw_phone = cell(r, cols.phone);
        let phone = normalise_phone(raw_phone);
        match &phone {
            None => why.push(format!("phone {} is not a phone number", shown(raw_phone))),
            Some(p) => {
                if let Some(owner) = owners.get(p) {
                    why.push(format!("phone {p} already belongs to user {owner}"));
                } else if let Some(first) = seen_phone.get(p) {
                    why.push(format!("phone {p} is also on line {first}"));
                } else {
                    seen_phone.insert(p.clone(), r.line);
                }
            }
        }
        let raw_role = cell(r, cols.role);
        let role = parse_role(raw_role);
        if role.is_none() {
            why.push(format!(
                "role {} is not one of {} or their Chinese names",
                shown(raw_role),
                Role::list()
            ));
        }
        let (raw_unit, extra) = split_units(cell(r, cols.unit));
        let unit = units.get(raw_unit);
        match (unit, role) {
            (None, _) => why.push(format!("unit {} does not exist", shown(raw_unit))),
            (Some(u), Some(role)) if !roles::fits(role, &u.kind) => {
                why.push(format!("a {role} cannot belong to {} {} (a {})", u.code, u.name, u.kind))
            }
            _ => {}
        }
        if !extra.is_empty()
            && role.and_then(|r| r.parse::<Role>().ok()).is_some_and(|r| !r.covers_several_villages())
        {
            why.push("only a work-team member may list several villages".into());
        }
        for code in &extra {
            match units.get(*code) {
                None => why.push(format!("unit {} does not exist", shown(code))),
                Some(u)
                    if u.kind != UnitKind::Village.as_str()
                        || unit.is_some_and(|first| first.kind != UnitKind::Village.as_str()) =>
                {
                    why.push(format!(
                        "several units must all be villages; {} {} is a {}",
                        u.code, u.name, u.kind
                    ))
                }
                _ => {}
            }
        }
        let id = match cols.id.map(|c| cell(r, c).trim()).filter(|s| !s.is_empty()) {
            Some(id) => {
                let ok =
                    id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !ok {
                    why.push(format!("id {} must be 1–32 letters, digits, '-' or '_'", shown(id)));
                } else if store.user_unit_path(id).await?.is_some() {
                    why.push(format!("user {id} already exists"));
                } else if let Some(first) = seen_id.insert(id.to_string(), r.line) {
                    why.push(format!("id {id} is also on line {first}"));
                }
                id.to_string()
            }
            None => fresh_id(),
        };
        let at = cols.at.map(|(lat, lon)| coordinates(cell(r, lat), cell(r, lon))).unwrap_or(Ok(None));
        let at = at.unwrap_or_else(|reason| {
            why.push(reason);
            None
        });
        let place = at.zip(unit);
        if let Some((p, u)) = place {
            match placed.get(&u.code) {
                Some((q, line)) if *q != p => {
                    why.push(format!("unit {} is placed differently on line {line}", u.code))
                }
                _ => {
                    placed.entry(u.code.clone()).or_insert((p, r.line));
                }
            }
        }
        if why.is_empty() {
            report.good_lines.push(r.line);
            report.villages.extend(extra.iter().map(|v| (id.clone(), v.to_string())));
            report.locations.extend(place.map(|(p, u)| (u.code.clone(), p, r.line)));
            report.good.push(NewUser {
                id,
                name: name.to_string(),
                phone,
                role: role.unwrap_or_default().to_string(),
                unit_code: raw_unit.to_string(),
            });
        } else {
            report.bad.push(BadRow { line: r.line, reason: why.join("; ") });
        }
    }
    Ok(report)
}

/// A row's coordinates: both cells empty (no place), or both decimal degrees in range.
fn coordinates(lat: &str, lon: &str) -> Result<Option<LatLon>, String> {
    let (lat, lon) = (lat.trim(), lon.trim());
    if lat.is_empty() && lon.is_empty() {
        return Ok(None);
    }
    if lat.is_empty() || lon.is_empty() {
        return Err("latitude and longitude go together: give both or neither".into());
    }
    let num = |s: &str, what: &str| {
        s.parse::<f64>().map_err(|_| format!("{what} {} is not a number in decimal degrees", shown(s)))
    };
    LatLon::new(num(lat, "latitude")?, num(lon, "longitude")?).map(Some).map_err(|e| e.to_string())
}

/// A unit cell: one code, or a work-team member's villages separated by `;`, `；` or `、`.
/// Returns the first (their own unit) and the others, repeats removed.
fn split_units(raw: &str) -> (&str, Vec<&str>) {
    let mut codes: Vec<&str> =
        raw.split([';', '；', '、']).map(str::trim).filter(|c| !c.is_empty()).collect();
    let first = if codes.is_empty() { "" } else { codes.remove(0) };
    let mut rest: Vec<&str> = Vec::with_capacity(codes.len());
    for c in codes {
        if c != first && !rest.contains(&c) {
            rest.push(c);
        }
    }
    (first, rest)
}

fn cell(r: &RawRow, col: usize) -> &str {
    r.cells.get(col).map_or("", String::as_str)
}

/// Check the rows and, unless `dry_run` or any row is bad, import them all in one transaction.
pub async fn import(store: &SqlStore, rows: &[RawRow], dry_run: bool) -> Result<Report, RosterError> {
    let mut report = check(store, rows).await?;
    if !dry_run && report.bad.is_empty() && !report.good.is_empty() {
        let places: Vec<(String, LatLon)> =
            report.locations.iter().map(|(u, p, _)| (u.clone(), *p)).collect();
        store.import_roster(&report.good, &report.villages, &places).await?;
        report.imported = true;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_role_names_map_to_the_same_role() {
        assert_eq!(parse_role("信息员"), Some("village_officer"));
        assert_eq!(parse_role(" Work_Team "), Some("work_team"));
        assert_eq!(parse_role("工作队员"), Some("work_team"));
        assert_eq!(parse_role("队长"), None);
    }

    #[test]
    fn csv_line_numbers_count_the_header_and_quoted_newlines() {
        let rows = read_csv("\u{feff}姓名,手机\n\"林\n秀英\",138\n张三,139\n".as_bytes()).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 2, 4]);
        assert_eq!(rows[0].cells[0], "姓名");
    }

    #[test]
    fn a_csv_that_is_not_utf8_is_refused_with_advice() {
        let gbk = b"\xd0\xd5\xc3\xfb,phone\n";
        assert!(read_csv(gbk).unwrap_err().to_string().contains("UTF-8"));
    }

    #[test]
    fn a_unit_cell_may_list_several_villages() {
        assert_eq!(split_units(" 350481101201 "), ("350481101201", vec![]));
        assert_eq!(split_units("a;b、c；b;a"), ("a", vec!["b", "c"]));
        assert_eq!(split_units(""), ("", vec![]));
    }

    #[test]
    fn headers_are_found_in_any_order_and_language() {
        let h = RawRow {
            line: 1, cells: vec!["Unit".into(), "角色".into(), "手机号".into(), "姓名".into()]
        };
        let c = find_columns(&h).unwrap();
        assert_eq!((c.name, c.phone, c.role, c.unit, c.id, c.at), (3, 2, 1, 0, None, None));
        let h = RawRow { line: 1, cells: vec!["姓名".into()] };
        assert!(find_columns(&h).unwrap_err().contains("手机/phone"));
        let h = RawRow {
            line: 1,
            cells: ["姓名", "手机", "角色", "单位", "经度", "纬度"].map(String::from).to_vec(),
        };
        assert_eq!(find_columns(&h).unwrap().at, Some((5, 4)));
        let h = RawRow {
            line: 1,
            cells: ["name", "phone", "role", "unit", "latitude"].map(String::from).to_vec(),
        };
        assert!(find_columns(&h).unwrap_err().contains("经度/longitude"));
    }

    #[test]
    fn coordinates_are_both_or_neither_and_in_range() {
        assert_eq!(coordinates(" ", ""), Ok(None));
        assert_eq!(coordinates("25.94", "117.37"), Ok(Some(LatLon { latitude: 25.94, longitude: 117.37 })));
        assert!(coordinates("25.94", "").unwrap_err().contains("both or neither"));
        assert!(coordinates("", "117.37").unwrap_err().contains("both or neither"));
        assert!(coordinates("91", "117").unwrap_err().contains("latitude"));
        assert!(coordinates("25", "-181").unwrap_err().contains("longitude"));
        assert!(coordinates("北纬25", "117").unwrap_err().contains("not a number"));
        assert!(coordinates("NaN", "117").is_err());
    }
}
