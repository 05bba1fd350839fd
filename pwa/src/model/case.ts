// Case documents: creation, edits and reading, with the exact Automerge types the server's
// validator (sync-protocol/src/case/read.rs) expects. Scalar strings are ImmutableString; only
// `description` is collaborative Text (a plain JS string); timestamps are Dates; absent
// optional values are null.
import * as A from '@automerge/automerge/slim';
import {
  CONFLICT_FIELDS, type Attachment, type CaseEdit, type CaseSummary, type CaseView, type FieldConflict,
  type NewCaseInput, type Party, type TimelineEntry, type TimelineKind,
} from './types';
import { applyCasework, caseworkView, moveStatus } from './casework';
import { overLimits } from './limits';

// The document's shape as stored. Strings held as ImmutableString.
type IS = A.ImmutableString;
export interface CaseDoc {
  schema_version: number;
  kind: IS;
  case_no?: IS | null;
  village: IS;
  category: IS;
  severity: IS;
  status: IS;
  title: IS;
  description: string;
  parties: { name: IS; phone?: IS | null; note?: IS | null }[];
  reporter: IS;
  reported_at: Date;
  /** Written only by the server (PROTOCOL.md §11). */
  clock_corrections?: { field: IS; claimed: Date; corrected: Date }[];
  location?: { lat: number; lon: number; accuracy_m?: number | null } | null;
  timeline: { id: IS; kind: IS; at: Date; by: IS; text: IS; attachment?: IS }[];
  attachments: unknown[];
  responsible_leader: IS | null;
  handler: IS | null;
  deadline: Date | null;
  transitions?: { from: IS; to: IS; by: IS; at: Date; outcome?: IS; note?: IS }[];
  outcome?: IS | null;
  closing_note?: IS | null;
  resolution_plan?: string;
}

const im = (s: string) => new A.ImmutableString(s);

/** A scalar read back as text: ImmutableString, plain string (tolerated) or null. */
export function text(v: unknown): string | null {
  if (v == null) return null;
  if (v instanceof A.ImmutableString) return v.val;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return String(v.getTime());
  return String(v);
}

function ms(v: unknown): number | null {
  return v instanceof Date ? v.getTime() : typeof v === 'number' ? v : null;
}

export interface Author { user: string; village: string }

export function newCase(actor: string, author: Author, input: NewCaseInput, now: Date): A.Doc<CaseDoc> {
  return A.change(A.init<CaseDoc>({ actor }), { time: Math.floor(now.getTime() / 1000) }, (d) => {
    d.schema_version = 1;
    d.kind = im('case');
    d.village = im(author.village);
    d.category = im(input.category);
    d.severity = im(input.severity);
    d.status = im('reported');
    d.title = im(input.title.trim());
    d.description = input.description;
    d.parties = input.parties.map(partyDoc);
    d.reporter = im(author.user);
    d.reported_at = now;
    d.location = input.location
      ? { lat: input.location.lat, lon: input.location.lon, accuracy_m: input.location.accuracy_m }
      : null;
    d.timeline = [];
    d.attachments = (input.attachments ?? []).map((a) => ({ sha256: im(a.sha256), mime: im(a.mime), size: a.size }));
    d.responsible_leader = null;
    d.handler = null;
    d.deadline = null;
    d.transitions = [];
    d.outcome = null;
    d.closing_note = null;
    d.resolution_plan = '';
  });
}

function partyDoc(p: Party): CaseDoc['parties'][number] {
  const out: CaseDoc['parties'][number] = { name: im(p.name.trim()) };
  if (p.phone && p.phone.trim()) out.phone = im(p.phone.trim());
  if (p.note && p.note.trim()) out.note = im(p.note.trim());
  return out;
}

function timelineDoc(kind: TimelineKind, user: string, body: string, at: Date) {
  return { id: im(crypto.randomUUID()), kind: im(kind), at, by: im(user), text: im(body.slice(0, 2000)) };
}

/** Apply one person's edit. Returns the same doc object when nothing changed. */
export function applyEdit(doc: A.Doc<CaseDoc>, user: string, edit: CaseEdit, now: Date): A.Doc<CaseDoc> {
  const opts = { time: Math.floor(now.getTime() / 1000) };
  if (edit.op === 'splice_description') {
    const pos = mapIndex(doc, edit.base, edit.index);
    return A.change(doc, opts, (d) => A.splice(d, ['description'], pos, edit.del, edit.insert));
  }
  return A.change(doc, opts, (d) => {
    switch (edit.op) {
      case 'set_severity': d.severity = im(edit.value); break;
      case 'set_category': d.category = im(edit.value); break;
      case 'set_title': d.title = im(edit.value.trim()); break;
      case 'set_status':
        moveStatus(d, user, edit.value, now);
        d.timeline.push(timelineDoc('status', user, edit.note ?? edit.value, now));
        break;
      case 'add_timeline': d.timeline.push(timelineDoc(edit.kind, user, edit.text, now)); break;
      case 'acknowledge':
        moveStatus(d, user, 'acknowledged', now);
        d.timeline.push(timelineDoc('status', user, edit.text, now));
        break;
      case 'assign':
        d.responsible_leader = edit.responsible_leader ? im(edit.responsible_leader) : null;
        d.handler = edit.handler ? im(edit.handler) : null;
        d.deadline = edit.deadline != null ? new Date(edit.deadline) : null;
        d.timeline.push(timelineDoc('note', user, edit.text, now));
        break;
      case 'add_attachment': addAttachment(d, edit.attachment); break;
      case 'record_mediation': {
        const entry: CaseDoc['timeline'][number] = timelineDoc('mediation', user, edit.text, now);
        // The agreement joins `attachments` in the same change that names it: the server
        // refuses a mediation entry naming a photo the case does not hold.
        if (edit.attachment) entry.attachment = im(addAttachment(d, edit.attachment));
        d.timeline.push(entry);
        break;
      }
      case 'pick':
        // Writing one of the concurrent values again supersedes all of them.
        if (edit.field === 'deadline') d.deadline = edit.value ? new Date(Number(edit.value)) : null;
        else if (edit.field === 'responsible_leader' || edit.field === 'handler') d[edit.field] = edit.value ? im(edit.value) : null;
        else if (edit.field === 'status') moveStatus(d, user, edit.value, now);
        else d[edit.field] = im(edit.value);
        break;
      default: applyCasework(d, user, edit, now);
    }
  });
}

export { MAX_ATTACHMENTS, textSplice } from './case-text';
import { MAX_ATTACHMENTS } from './case-text';

/** Add a photo unless the case lists it already; returns its hash. Call inside `A.change`. */
function addAttachment(d: CaseDoc, a: Attachment): string {
  if (!d.attachments.some((x) => text((x as { sha256?: unknown }).sha256) === a.sha256)) {
    if (d.attachments.length >= MAX_ATTACHMENTS) throw new Error(`at most ${MAX_ATTACHMENTS} photos per case`);
    d.attachments.push({ sha256: im(a.sha256), mime: im(a.mime), size: a.size });
  }
  return a.sha256;
}

/** Every value a field holds when people set it concurrently (Automerge hides all but one). */
export function conflictsOf(doc: A.Doc<CaseDoc>): FieldConflict[] {
  const out: FieldConflict[] = [];
  for (const field of CONFLICT_FIELDS) {
    const c = A.getConflicts(doc, field);
    if (!c) continue;
    const values = Object.values(c).map((v) => text(v) ?? '');
    if (values.length > 1) out.push({ field, values: [...new Set(values)].sort() });
  }
  return out.filter((c) => c.values.length > 1);
}

export function viewCase(docId: string, doc: A.Doc<CaseDoc>): CaseView {
  const loc = doc.location;
  const view = {
    doc: docId,
    case_no: text(doc.case_no),
    village: text(doc.village) ?? '',
    category: text(doc.category) ?? '',
    severity: text(doc.severity) ?? '',
    status: text(doc.status) ?? '',
    title: text(doc.title) ?? '',
    description: typeof doc.description === 'string' ? doc.description : text(doc.description) ?? '',
    parties: (doc.parties ?? []).map((p) => ({ name: text(p.name) ?? '', phone: text(p.phone), note: text(p.note) })),
    reporter: text(doc.reporter) ?? '',
    reported_at: ms(doc.reported_at) ?? 0,
    location: loc ? { lat: loc.lat, lon: loc.lon, accuracy_m: loc.accuracy_m ?? null } : null,
    timeline: (doc.timeline ?? []).map((e): TimelineEntry => ({
      id: text(e.id) ?? '', kind: (text(e.kind) ?? 'note') as TimelineKind, at: ms(e.at) ?? 0,
      by: text(e.by) ?? '', text: text(e.text) ?? '',
    })),
    attachments: (doc.attachments ?? []).flatMap(attachmentView),
    responsible_leader: text(doc.responsible_leader),
    handler: text(doc.handler),
    deadline: ms(doc.deadline),
    conflicts: conflictsOf(doc),
    clock_corrections: (doc.clock_corrections ?? []).map((c) => ({
      field: text(c.field) ?? '', claimed: ms(c.claimed) ?? 0, corrected: ms(c.corrected) ?? 0,
    })),
    ...caseworkView(doc, conflictsOf(doc).map((c) => c.field)),
  };
  return { ...view, over_limits: overLimits(view) };
}

function attachmentView(a: unknown): Attachment[] {
  const m = (a ?? {}) as { sha256?: unknown; mime?: unknown; size?: unknown };
  const sha256 = text(m.sha256);
  const mime = text(m.mime);
  return sha256 && mime && typeof m.size === 'number' ? [{ sha256, mime, size: m.size }] : [];
}

export function summarize(doc: A.Doc<CaseDoc>): CaseSummary {
  return {
    case_no: text(doc.case_no),
    village: text(doc.village) ?? '',
    category: text(doc.category) ?? '',
    severity: text(doc.severity) ?? '',
    status: text(doc.status) ?? '',
    title: text(doc.title) ?? '',
    reporter: text(doc.reporter) ?? '',
    reported_at: ms(doc.reported_at) ?? 0,
    deadline: ms(doc.deadline),
    responsible_leader: text(doc.responsible_leader),
    handler: text(doc.handler),
    has_conflicts: conflictsOf(doc).length > 0,
    needs_confirmation: caseworkView(doc, conflictsOf(doc).map((c) => c.field)).needs_confirmation,
    transitions: (doc.transitions ?? []).map((t) => ({ to: text(t.to) ?? '', at: ms(t.at) ?? 0 })),
    timeline_count: doc.timeline?.length ?? 0,
    location: doc.location ? { lat: doc.location.lat, lon: doc.location.lon, accuracy_m: doc.location.accuracy_m ?? null } : null,
  };
}

/** Where `index` of the description as it was at `baseHeads` is in the document now. */
function mapIndex(doc: A.Doc<CaseDoc>, baseHeads: string[], index: number): number {
  try {
    const base = A.view(doc, baseHeads);
    const cursor = A.getCursor(base, ['description'], index >= base.description.length ? 'end' : index);
    return A.getCursorPosition(doc, ['description'], cursor);
  } catch {
    return Math.min(index, doc.description.length); // unknown heads: trust the index
  }
}

