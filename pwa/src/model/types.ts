// The case record as the UI sees it. Mirrors sync-protocol/src/case/mod.rs.
import type { CaseworkEdit, CaseworkView } from './casework';
import type { OverLimit } from './limits';

export const CATEGORIES = [
  'land', 'compensation', 'housing', 'rights', 'family', 'labour',
  'online_opinion', 'group_petition', 'extreme', 'other',
] as const;
export const SEVERITIES = ['general', 'major', 'urgent'] as const;
export const STATUSES = ['reported', 'acknowledged', 'handling', 'resolved', 'closed', 'escalated'] as const;
export const TIMELINE_KINDS = ['note', 'visit', 'mediation', 'status', 'chase'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Status = (typeof STATUSES)[number];
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const OPEN_STATUSES: readonly Status[] = ['reported', 'acknowledged', 'handling', 'escalated'];

export interface Party { name: string; phone: string | null; note: string | null }
export interface Location { lat: number; lon: number; accuracy_m: number | null }
export interface TimelineEntry { id: string; kind: TimelineKind; at: number; by: string; text: string }
/** A photo or scan: the document holds only its hash; the bytes travel separately (src/photos). */
export interface Attachment { sha256: string; mime: string; size: number }

/** What the person filling the "new case" form provides. */
export interface NewCaseInput {
  category: Category;
  severity: Severity;
  title: string;
  description: string;
  parties: Party[];
  location: Location | null;
  attachments?: Attachment[];
}

/** Concurrent values of one field: more than one means people disagreed offline. */
export interface FieldConflict { field: string; values: string[] }

export interface CaseView extends CaseworkView {
  doc: string;
  case_no: string | null;
  village: string;
  category: string;
  severity: string;
  status: string;
  title: string;
  description: string;
  parties: Party[];
  reporter: string;
  reported_at: number;
  location: Location | null;
  timeline: TimelineEntry[];
  attachments: Attachment[];
  responsible_leader: string | null;
  handler: string | null;
  deadline: number | null;
  conflicts: FieldConflict[];
  /** Times the server corrected because the recording phone's clock was wrong (PROTOCOL.md §11). */
  clock_corrections: ClockCorrection[];
  /** Fields concurrent edits took over their product limit: to be shortened (model/limits.ts). */
  over_limits: OverLimit[];
}

export interface ClockCorrection { field: string; claimed: number; corrected: number }

/** The few fields listing screens need, kept in the meta store so lists load no document. */
export interface CaseSummary {
  case_no: string | null;
  village: string;
  category: string;
  severity: string;
  status: string;
  title: string;
  reporter: string;
  reported_at: number;
  deadline: number | null;
  responsible_leader: string | null;
  handler: string | null;
  has_conflicts: boolean;
  /** For the overdue rule (src/rules/overdue.ts); absent in summaries stored before them. */
  needs_confirmation?: boolean;
  transitions?: { to: string; at: number }[];
  timeline_count: number;
  /** Where it was recorded, for the map; absent in summaries stored before it. */
  location?: Location | null;
}

/** Where a document stands with respect to the server. */
export type Delivery = 'local' | 'sent' | 'rejected';

export interface Rejection { code: string; message: string; heads: string[] }

export interface CaseListItem extends CaseSummary { doc: string; delivery: Delivery; rejection: Rejection | null }

/** Edits a person can make to an existing case, as data so they cross the worker boundary. */
export type CaseEdit =
  | { op: 'set_severity'; value: Severity }
  | { op: 'set_status'; value: Status; note?: string }
  | { op: 'set_category'; value: Category }
  | { op: 'set_title'; value: string }
  /** A text edit made against the description as it was at `base` heads: positions are
   *  mapped through Automerge cursors, so concurrent edits elsewhere in the text survive. */
  | { op: 'splice_description'; base: string[]; index: number; del: number; insert: string }
  | { op: 'add_timeline'; kind: TimelineKind; text: string }
  | { op: 'acknowledge'; text: string }
  | { op: 'assign'; responsible_leader: string | null; handler: string | null; deadline: number | null; text: string }
  | { op: 'pick'; field: ConflictField; value: string }
  /** A photo added to a case already recorded (补充照片). */
  | { op: 'add_attachment'; attachment: Attachment }
  /** A mediation outcome, with the signed agreement as an attachment it names (issue 6 item 3). */
  | { op: 'record_mediation'; text: string; attachment: Attachment | null }
  | CaseworkEdit;

export const CONFLICT_FIELDS = ['category', 'severity', 'status', 'title', 'responsible_leader', 'handler', 'deadline', 'outcome', 'closing_note'] as const;
export type ConflictField = (typeof CONFLICT_FIELDS)[number];
