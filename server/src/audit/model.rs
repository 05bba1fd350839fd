//! A JSON model of a document, kept up to date from each change's own operations.
//!
//! Replaying a log through Automerge one change at a time costs O(document) per change (2,000
//! changes: 19 s in a debug build, all but the first few spent re-applying), and reading the
//! document at past heads costs as much per read. So the history does not ask Automerge: it
//! decodes each change and applies its operations here, with Automerge's own rules — a map key
//! or list element shows the surviving value with the greatest op id (counter, then actor), an
//! operation removes the values it names as predecessors, and list elements are ordered as in
//! RGA (after their reference, before any greater sibling). Only the objects a change touches
//! are rendered, so n follow-ups cost O(n) rendering in all, not O(n²).

use std::collections::HashMap;

use automerge::legacy::{ElementId, Key, ObjectId, OpType};
use automerge::{ActorId, ObjType, ScalarValue};
use serde_json::Value as Json;

use super::view;

/// An operation's id: its counter, then its actor, which is also Automerge's order of ids.
pub type Id = (u64, ActorId);

#[derive(Debug, Clone)]
enum Node {
    Scalar(ScalarValue),
    Obj(Id),
}

/// The values a key or element holds at once (several when written concurrently).
type Register = Vec<(Id, Node)>;

#[derive(Debug)]
struct Obj {
    kind: ObjType,
    /// The top-level field this object lives under.
    field: String,
    /// The element of that field's list it lives in, when it lives in one.
    element: Option<Id>,
    keys: HashMap<String, Register>,
    elems: HashMap<Id, Register>,
    /// Every element ever inserted, deleted ones included: later inserts are placed by them.
    order: Vec<Id>,
    /// Where the last insert went: typing inserts after the previous character.
    hint: usize,
}

/// What one operation touched: a top-level field as a whole, or one element of a top-level list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Field(String),
    Element(String, Id),
}

#[derive(Debug, Default)]
pub struct Model {
    root: HashMap<String, Register>,
    objs: HashMap<Id, Obj>,
}

fn winner(r: &Register) -> Option<&Node> {
    r.iter().max_by(|a, b| a.0.cmp(&b.0)).map(|(_, n)| n)
}

fn id_of(o: &automerge::legacy::OpId) -> Id {
    (o.counter(), o.actor().clone())
}

/// Apply one operation `id` with predecessors `pred` to a register.
fn write(reg: &mut Register, id: Id, pred: &[Id], action: &OpType) {
    match action {
        OpType::Increment(by) => {
            for (vid, n) in reg.iter_mut() {
                if let (true, Node::Scalar(ScalarValue::Counter(c))) = (pred.contains(vid), &*n) {
                    *n = Node::Scalar(ScalarValue::counter(i64::from(c) + by));
                }
            }
        }
        OpType::Delete => reg.retain(|(vid, _)| !pred.contains(vid)),
        OpType::Put(v) => {
            reg.retain(|(vid, _)| !pred.contains(vid));
            reg.push((id, Node::Scalar(v.clone())));
        }
        OpType::Make(_) => {
            reg.retain(|(vid, _)| !pred.contains(vid));
            reg.push((id.clone(), Node::Obj(id)));
        }
        OpType::MarkBegin(_) | OpType::MarkEnd(_) => {}
    }
}

impl Obj {
    fn insert(&mut self, after: &ElementId, id: Id) {
        let mut pos = match after {
            ElementId::Head => 0,
            ElementId::Id(r) => {
                let r = id_of(r);
                if self.order.get(self.hint) == Some(&r) {
                    self.hint + 1
                } else {
                    self.order.iter().position(|x| *x == r).map_or(self.order.len(), |p| p + 1)
                }
            }
        };
        while self.order.get(pos).is_some_and(|x| *x > id) {
            pos += 1;
        }
        self.order.insert(pos, id);
        self.hint = pos;
    }
}

impl Model {
    /// Where an operation on `obj` at `key` (an insert when `insert`) with id `id` lands.
    pub fn target(&self, obj: &ObjectId, key: &Key, insert: bool, id: &Id) -> Option<Target> {
        let ObjectId::Id(o) = obj else {
            return match key {
                Key::Map(k) => Some(Target::Field(k.to_string())),
                Key::Seq(_) => None,
            };
        };
        let oid = id_of(o);
        let o = self.objs.get(&oid)?;
        if let Some(e) = &o.element {
            return Some(Target::Element(o.field.clone(), e.clone()));
        }
        // Only the list that is the field's value has elements of its own to report.
        let top = o.kind == ObjType::List
            && self.root.get(&o.field).is_some_and(|r| r.iter().any(|(v, _)| *v == oid));
        match key {
            Key::Seq(ElementId::Id(e)) if top && !insert => Some(Target::Element(o.field.clone(), id_of(e))),
            Key::Seq(_) if top && insert => Some(Target::Element(o.field.clone(), id.clone())),
            _ => Some(Target::Field(o.field.clone())),
        }
    }

    /// Apply one decoded operation with id `id`; returns what it touched.
    pub fn apply(&mut self, op: &automerge::legacy::Op, id: Id) -> Option<Target> {
        let target = self.target(&op.obj, &op.key, op.insert, &id)?;
        let pred: Vec<Id> = op.pred.iter().map(id_of).collect();
        match (&op.obj, &op.key) {
            (ObjectId::Root, Key::Map(k)) => {
                write(self.root.entry(k.to_string()).or_default(), id.clone(), &pred, &op.action)
            }
            (ObjectId::Root, Key::Seq(_)) => return None,
            (ObjectId::Id(o), key) => {
                let obj = self.objs.get_mut(&id_of(o))?;
                match key {
                    Key::Map(k) => {
                        write(obj.keys.entry(k.to_string()).or_default(), id.clone(), &pred, &op.action)
                    }
                    Key::Seq(after) if op.insert => {
                        obj.insert(after, id.clone());
                        write(obj.elems.entry(id.clone()).or_default(), id.clone(), &pred, &op.action);
                    }
                    Key::Seq(ElementId::Id(e)) => {
                        write(obj.elems.entry(id_of(e)).or_default(), id.clone(), &pred, &op.action)
                    }
                    Key::Seq(ElementId::Head) => {}
                }
            }
        }
        if let OpType::Make(kind) = &op.action {
            let (field, element) = match &target {
                Target::Field(f) => (f.clone(), None),
                Target::Element(f, e) => (f.clone(), Some(e.clone())),
            };
            let obj = Obj {
                kind: *kind,
                field,
                element,
                keys: HashMap::new(),
                elems: HashMap::new(),
                order: Vec::new(),
                hint: 0,
            };
            self.objs.insert(id, obj);
        }
        Some(target)
    }

    fn node(&self, n: &Node) -> Json {
        let id = match n {
            Node::Scalar(s) => return view::scalar(s),
            Node::Obj(id) => id,
        };
        let Some(o) = self.objs.get(id) else { return Json::Null };
        let visible = || o.order.iter().filter_map(|e| o.elems.get(e).and_then(winner));
        match o.kind {
            ObjType::Text => Json::String(
                visible()
                    .filter_map(|n| match n {
                        Node::Scalar(ScalarValue::Str(s)) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect(),
            ),
            ObjType::List => Json::Array(visible().map(|n| self.node(n)).collect()),
            ObjType::Map | ObjType::Table => Json::Object(
                o.keys.iter().filter_map(|(k, r)| winner(r).map(|n| (k.clone(), self.node(n)))).collect(),
            ),
        }
    }

    /// A top-level field as it stands; `None` when absent.
    pub fn field(&self, k: &str) -> Option<Json> {
        self.root.get(k).and_then(winner).map(|n| self.node(n))
    }

    /// One element of a top-level list, with its 1-based position; `None` when not (or no
    /// longer) there.
    pub fn element(&self, k: &str, e: &Id) -> Option<(usize, Json)> {
        let Some(Node::Obj(list)) = self.root.get(k).and_then(winner) else { return None };
        let o = self.objs.get(list).filter(|o| o.kind == ObjType::List)?;
        let n = o.elems.get(e).and_then(winner)?;
        let visible = o.order.iter().filter(|x| o.elems.get(*x).is_some_and(|r| !r.is_empty()));
        let pos = visible.take_while(|x| *x != e).count() + 1;
        Some((pos, self.node(n)))
    }

    /// The whole document (for checking the model against Automerge).
    #[cfg(test)]
    pub fn document(&self) -> Json {
        Json::Object(self.root.keys().filter_map(|k| self.field(k).map(|v| (k.clone(), v))).collect())
    }
}
