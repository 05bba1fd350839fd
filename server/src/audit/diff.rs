//! Which top-level fields one change moved, and from what to what: each operation's target is
//! rendered from the [`Model`] just before the change's first operation on it and again after
//! the change, and only those. A follow-up added to a timeline of 1,000 entries renders one entry.

use std::collections::{HashMap, HashSet};

use automerge::ExpandedChange;
use serde::Serialize;
use serde_json::Value as Json;

use super::model::{Model, Target};
use super::view;

/// One field as a change left it. `old`/`new` are `None` where the field was absent or null.
/// An entry of a list field (the timeline, parties, attachments) is reported alone, in words:
/// `added entry 3: visit · u_1: 走访`, `removed entry: …`, or the entry before and after.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(required = true)]
    pub old: Option<String>,
    #[schema(required = true)]
    pub new: Option<String>,
}

#[derive(Debug, Default)]
pub struct Replay {
    pub model: Model,
}

impl Replay {
    /// Apply `change` and say what it moved, in the order it first touched each field; a field
    /// that ends as it started is left out.
    pub fn step(&mut self, change: &ExpandedChange) -> Vec<FieldChange> {
        let mut order: Vec<Target> = Vec::new();
        let mut before: HashMap<Target, Option<(usize, Json)>> = HashMap::new();
        for (i, op) in change.operations.iter().enumerate() {
            let id = (change.start_op.get() + i as u64, change.actor_id.clone());
            if let Some(t) = self.model.target(&op.obj, &op.key, op.insert, &id)
                && !before.contains_key(&t)
            {
                let old = match &t {
                    Target::Field(k) => self.model.field(k).map(|v| (0, v)),
                    Target::Element(k, e) => self.model.element(k, e),
                };
                before.insert(t.clone(), old);
                order.push(t);
            }
            self.model.apply(op, id);
        }
        // A field put anew (a case's first change) is shown whole, not entry by entry.
        let whole: HashSet<String> = order
            .iter()
            .filter_map(|t| if let Target::Field(k) = t { Some(k.clone()) } else { None })
            .collect();
        let mut out = Vec::new();
        for t in order {
            let old = before.remove(&t).flatten();
            let change = match &t {
                Target::Field(k) => {
                    let new = self.model.field(k);
                    let (old, new) = (view::shown(old.map(|o| o.1).as_ref()), view::shown(new.as_ref()));
                    (old != new).then(|| FieldChange { field: k.clone(), old, new })
                }
                Target::Element(k, _) if whole.contains(k) => None,
                Target::Element(k, e) => entry_change(k, old, self.model.element(k, e)),
            };
            out.extend(change);
        }
        out
    }
}

fn entry_change(field: &str, old: Option<(usize, Json)>, new: Option<(usize, Json)>) -> Option<FieldChange> {
    let (old, new) = match (old, new) {
        (None, None) => return None,
        (None, Some((at, v))) => (None, Some(format!("added entry {at}: {}", view::entry(&v)))),
        (Some((_, v)), None) => (Some(format!("removed entry: {}", view::entry(&v))), None),
        (Some((_, a)), Some((at, b))) if a != b => (
            Some(format!("entry {at}: {}", view::entry(&a))),
            Some(format!("entry {at}: {}", view::entry(&b))),
        ),
        _ => return None,
    };
    Some(FieldChange { field: field.into(), old, new })
}
