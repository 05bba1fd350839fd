// The server's JSON answers, as the page reads them, named after their endpoints. Each is the
// type generated from the server's OpenAPI description (schema.gen.ts) where that describes the
// body field by field; the rest are still written by hand: the case projection, history and
// statistics (described only as objects), and three shapes the page reads more narrowly than the
// server writes them (alert channels, campaign entries, reports).
import type { ReportInput, RosterVillage } from '../model/completeness';
import type { components } from './schema.gen';

/** `POST /enrol`, `POST /login`: a new device and its bearer token (shown once). */
export type IssuedDevice = components['schemas']['NewDevice'];

/** One of the person's devices, as `GET /devices` lists them. */
export type DeviceInfo = components['schemas']['Device'];

/** `GET /villages`: the villages of the person's jurisdiction. */
export type Village = components['schemas']['Village'];

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
export type AlertLayer = components['schemas']['Prefs'];
/** `GET /me/alert-channels`. */
export interface AlertChannels {
  own: AlertLayer;
  effective: { sms: boolean; quiet: { from: number; to: number } | null };
  sms_configured: boolean;
  phone_on_roster: boolean;
  push_phones: number;
}

/** `GET /admin/quarantine`: one refused push. */
export type QuarantineItem = components['schemas']['Item'];
/** `POST /admin/quarantine/{id}/release`: judged again under today's rules. */
export type QuarantineRelease = components['schemas']['Released'];

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

export type Campaign = components['schemas']['Campaign'];
/** A report as the server lists it: the completeness input, and beside it (never counted) how
 *  many of its times the server corrected for a wrong phone clock. */
export type ServerReport = ReportInput & { clock_corrections?: number };
export interface CampaignEntry { campaign: Campaign; villages: (RosterVillage & { name: string; township_name?: string })[]; reports: ServerReport[] }
export type UnitName = components['schemas']['Township'];
/** `GET /campaigns`. */
export type Campaigns = components['schemas']['CampaignList'];
/** `POST /campaigns` takes this. */
export type LaunchInput = components['schemas']['CreateCampaign'];
/** `POST /campaigns/{id}/remind`. */
export type Reminded = components['schemas']['Remind'];
