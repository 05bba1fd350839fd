// The server's JSON answers, as the page reads them, named after their endpoints. Every one is
// the type generated from the server's OpenAPI description (schema.gen.ts), which describes each
// body field by field: a server change that breaks what the page reads fails the type-check.
import type { components } from './schema.gen';

/** `POST /enrol`, `POST /login`: a new device and its bearer token (shown once). */
export type IssuedDevice = components['schemas']['NewDevice'];

/** One of the person's devices, as `GET /devices` lists them. */
export type DeviceInfo = components['schemas']['Device'];

/** `GET /villages`: the villages of the person's jurisdiction. */
export type Village = components['schemas']['Village'];

/** `GET /cases`, `GET /cases/{doc}`: one case as the server's projection serves it. */
export type ServerCase = components['schemas']['CaseView'];

/** `GET /cases/{doc}/alerts`: one delivery of an alert about the case (generated). */
export type AlertLogRow = components['schemas']['Delivery'];

/** One field a change moved, old and new as text (`null`: absent or null). */
export type FieldChange = components['schemas']['FieldChange'];
/** `GET /cases/{doc}/history`: one accepted change and the fields it changed. */
export type HistoryEntry = components['schemas']['HistoryEntry'];

/** The person's own alert settings (`PUT /me/alert-channels` takes this). */
export type AlertLayer = components['schemas']['Prefs'];
/** `GET /me/alert-channels`. */
export type AlertChannels = components['schemas']['MyAlertChannels'];

/** `GET /admin/quarantine`: one refused push. */
export type QuarantineItem = components['schemas']['Item'];
/** `POST /admin/quarantine/{id}/release`: judged again under today's rules. */
export type QuarantineRelease = components['schemas']['Released'];

/** One jurisdiction's figures for the period. */
export type Figures = components['schemas']['Figures'];
/** One category's or severity's line. */
export type Breakdown = components['schemas']['Breakdown'];
/** A child unit and its figures. */
export type UnitFigures = components['schemas']['UnitFigures'];
/** One campaign due in the period, counted for completeness. */
export type SweepLine = components['schemas']['SweepLine'];
/** `GET /stats`. */
export type Report = components['schemas']['Report'];

export type Campaign = components['schemas']['Campaign'];
/** A report as the server lists it: the completeness input, and beside it (never counted) how
 *  many of its times the server corrected for a wrong phone clock. */
export type ServerReport = components['schemas']['ReportSeen'];
/** One campaign of `GET /campaigns`, with its roster and the reports the server holds. */
export type CampaignEntry = components['schemas']['Listed'];
export type UnitName = components['schemas']['Township'];
/** `GET /campaigns`. */
export type Campaigns = components['schemas']['CampaignList'];
/** `POST /campaigns` takes this. */
export type LaunchInput = components['schemas']['CreateCampaign'];
/** `POST /campaigns/{id}/remind`. */
export type Reminded = components['schemas']['Remind'];
