// The server's JSON answers, as the page reads them. Written by hand from the handlers in
// server/src/routes/; each is named after its endpoint so that generated OpenAPI types can take
// their place one by one without touching the screens.
import type { ReportInput, RosterVillage } from '../model/completeness';
import type { components } from './schema.gen';

/** `POST /enrol`, `POST /login`: a new device and its bearer token (shown once). */
export interface IssuedDevice {
  token: string;
  user: { id: string };
  device: { id: number; actor_prefix: string };
}

/** One of the person's devices, as `GET /devices` lists them. */
export interface DeviceInfo {
  id: number;
  label: string;
  created_at: number;
  revoked_at: number | null;
  retire_at: number | null;
  current: boolean;
}

/** `GET /villages`: the villages of the person's jurisdiction. */
export interface Village { code: string; name: string; latitude?: number; longitude?: number }

/** `GET /cases`: one case as the server's projection serves it. */
export interface ServerCase {
  doc: string; case_no: string | null; village: string; category: string; severity: string; status: string; title: string;
  reporter: string; reported_at: number; deadline: number | null; responsible_leader: string | null; handler: string | null;
  conflicts?: unknown[]; timeline?: unknown[]; needs_confirmation?: boolean; transitions?: { to: string; at: number }[];
  location?: { lat: number; lon: number; accuracy_m?: number | null } | null;
}

/** `GET /cases/{doc}/alerts`: one delivery of an alert about the case (generated). */
export type AlertLogRow = components['schemas']['Delivery'];

export interface FieldChange {
  field: string;
  old: string | null;
  new: string | null;
}

/** `GET /cases/{doc}/history`: one accepted change and the fields it changed. */
export interface HistoryEntry {
  seq: number;
  received_at: number;
  change_time: number | null;
  server: boolean;
  user: { id: string; name: string; role: string } | null;
  device: { id: number; label: string } | null;
  fields: FieldChange[];
}

/** The person's own alert settings (`PUT /me/alert-channels` takes this). */
export interface AlertLayer { sms: boolean | null; quiet_from: number | null; quiet_to: number | null }
/** `GET /me/alert-channels`. */
export interface AlertChannels {
  own: AlertLayer;
  effective: { sms: boolean; quiet: { from: number; to: number } | null };
  sms_configured: boolean;
  phone_on_roster: boolean;
  push_phones: number;
}

/** `GET /admin/quarantine`: one refused push. */
export interface QuarantineItem {
  id: number;
  device_id: number;
  device_label: string;
  user_id: string;
  user_name: string;
  unit_name: string;
  doc: string;
  code: string;
  message: string;
  received_at: number;
}
/** `POST /admin/quarantine/{id}/release`: judged again under today's rules. */
export interface QuarantineRelease { status: string; reason: { message: string } | null }

export interface Figures {
  found: number; resolved: number; resolution_rate: number | null; overdue: number;
  visits: number; villages_visited: number; sweep_reports: number;
}
export interface Breakdown { key: string; label: string; found: number; resolved: number; overdue: number }
export interface UnitFigures extends Figures { code: string; name: string; kind: string }
export interface SweepLine { campaign: string; name: string; kind: string; deadline: number; villages: number; reported: number; nil: number; missing: number; late: number }
/** `GET /stats`. */
export interface Report {
  unit: { code: string; name: string; kind: string };
  from: string; to: string; period_label: string; generated_at: number;
  totals: Figures; sweeps?: SweepLine[]; by_category: Breakdown[]; by_severity: Breakdown[]; units: UnitFigures[]; summary: string;
}

export interface Campaign {
  id: string; name: string; kind: string; unit_code: string; window_start: number; window_end: number;
  deadline: number; focus: string[]; created_by: string | null;
}
/** A report as the server lists it: the completeness input, and beside it (never counted) how
 *  many of its times the server corrected for a wrong phone clock. */
export type ServerReport = ReportInput & { clock_corrections?: number };
export interface CampaignEntry { campaign: Campaign; villages: (RosterVillage & { name: string; township_name?: string })[]; reports: ServerReport[] }
export interface UnitName { code: string; name: string }
/** `GET /campaigns`. */
export interface Campaigns { now: number; campaigns: CampaignEntry[]; townships?: UnitName[] }
/** `POST /campaigns` takes this. */
export interface LaunchInput { name: string; kind: string; window_start: number; window_end: number; deadline: number; focus: string[]; townships: string[] }
/** `POST /campaigns/{id}/remind`. */
export interface Reminded { villages: number; people: number; sent: number; reminded: string[]; already_today: string[] }
