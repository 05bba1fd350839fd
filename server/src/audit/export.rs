//! The history as CSV: one row per field a change moved (a change that moved none still gets a
//! row, so every change is accounted for), UTF-8 with a byte-order mark so that Excel, which
//! otherwise guesses the local code page, shows Chinese correctly.

use sync_protocol::calendar::beijing_rfc3339;

use super::Entry;

pub const HEADER: [&str; 11] = [
    "seq",
    "received_at",
    "change_time",
    "by",
    "user_id",
    "role",
    "device_id",
    "device_label",
    "field",
    "old",
    "new",
];

/// A spreadsheet treats a cell starting with one of these as a formula: a villager's name or a
/// note typed as "=HYPERLINK(…)" must open as text, not run. A leading apostrophe is what
/// Excel itself uses to mark text.
fn inert(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

pub fn csv(entries: &[Entry]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADER)?;
    for e in entries {
        let by = match &e.user {
            Some(u) => u.name.clone(),
            None => "server".into(),
        };
        let common = [
            e.seq.to_string(),
            beijing_rfc3339(e.received_at),
            e.change_time.map(beijing_rfc3339).unwrap_or_default(),
            inert(&by),
            e.user.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
            e.user.as_ref().map(|u| u.role.clone()).unwrap_or_default(),
            e.device.as_ref().map(|d| d.id.to_string()).unwrap_or_default(),
            e.device.as_ref().map(|d| inert(&d.label)).unwrap_or_default(),
        ];
        let rows: Vec<[String; 3]> = if e.fields.is_empty() {
            vec![Default::default()]
        } else {
            e.fields
                .iter()
                .map(|f| {
                    let text = |v: &Option<String>| v.as_deref().map(inert).unwrap_or_default();
                    [f.field.clone(), text(&f.old), text(&f.new)]
                })
                .collect()
        };
        for r in rows {
            w.write_record(common.iter().chain(r.iter()))?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_beijing_time() {
        assert_eq!(beijing_rfc3339(0), "1970-01-01T08:00:00.000+08:00");
    }

    #[test]
    fn formulas_are_kept_as_text() {
        assert_eq!(inert("=1+1"), "'=1+1");
        assert_eq!(inert("张三"), "张三");
    }
}
