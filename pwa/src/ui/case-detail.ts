import { html, nothing } from 'lit-html';
import { t } from '../i18n';
import { SEVERITIES, STATUSES, type CaseEdit, type ConflictField, type Severity, type Status } from '../model/types';
import type { CaseDetail } from '../worker/rpc';
import { alertLogView, loadAlertLog } from './alert-log';
import { historyView } from './history';
import { deliveryBadge } from './case-card';
import type { Ctx } from './ctx';
import { catLabel, fmtDate, fmtTime, fmtTimeYear, mayManage, sevLabel, stLabel, tlLabel } from './format';
import { header } from './officer-home';
import { caseworkPanel } from './casework';
import { beijingDay, dateString, dayOfDate } from '../rules/petition';
import { deadlineOfDay } from '../rules/overdue';
import { photoStrip } from './photos';
import { flush, freshEditor, startEditing, typed, type DescEditor } from './description-editor';
import { nameOf } from '../people';
import { villageName, villagesOf } from './records-common';
import { personLabel, personPicker, pickedId, pickerFor, type PickerState } from './person-picker';
import { addPhotoButton, agreementThumb, mediationForm } from './case-photos';
import { overLimit } from './over-limit';

export interface DetailState {
  doc: string;
  detail: CaseDetail | null;
  loaded: boolean;
  /** Mediation has its own form (outcome and agreement photo): src/ui/case-photos.ts. */
  followKind: 'note' | 'visit';
  followText: string;
  desc: DescEditor;
  leader: PickerState;
  handler: PickerState;
  deadline: string;
  /** The assignment the pickers were last filled from: a newer one from elsewhere refills them. */
  assigned: string;
}

export function freshDetail(doc: string): DetailState {
  return { doc, detail: null, loaded: false, followKind: 'visit', followText: '', desc: freshEditor(), leader: pickerFor(null), handler: pickerFor(null), deadline: '', assigned: '' };
}

/** A document id, as opposed to a case number typed or read by a person. */
const DOC_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function loadDetail(ctx: Ctx, st: DetailState): Promise<void> {
  st.detail = await ctx.worker.call('view', { doc: st.doc });
  if (!st.detail && !st.loaded) {
    // A partial replica (PROTOCOL.md §12) holds its working set; any other case of its scope
    // is fetched when opened, by id or by its number. Offline, it is simply not found.
    const byId = DOC_ID.test(st.doc);
    const got = await ctx.worker.call('fetchCase', byId ? { doc: st.doc } : { caseNo: st.doc }).catch(() => null);
    if (got) {
      st.doc = got;
      st.detail = await ctx.worker.call('view', { doc: got });
    }
  } else if (!st.loaded) {
    // A copy held here may be behind the server when the feed skips it (outside the working
    // set): brought up to date in the background; the worker's change notice re-renders.
    void ctx.worker.call('fetchCase', { doc: st.doc }).catch(() => null);
  }
  st.loaded = true;
  void loadAlertLog(ctx, st.doc);
  if (st.detail) {
    const assigned = `${st.detail.responsible_leader ?? ''} ${st.detail.handler ?? ''}`;
    if (assigned !== st.assigned && !st.leader.open && !st.handler.open) {
      st.assigned = assigned;
      st.leader = pickerFor(st.detail.responsible_leader);
      st.handler = pickerFor(st.detail.handler);
    }
    st.deadline ||= st.detail.deadline ? dateString(beijingDay(st.detail.deadline)) : '';
  }
  ctx.rerender();
}

async function edit(ctx: Ctx, st: DetailState, e: CaseEdit): Promise<void> {
  try {
    await ctx.worker.call('edit', { doc: st.doc, edit: e });
    await loadDetail(ctx, st);
  } catch (err) {
    ctx.toast(t('error_generic', { msg: (err as Error).message }));
  }
}

function valueLabel(field: string, v: string): string {
  if (field === 'severity') return sevLabel(v);
  if (field === 'status') return stLabel(v);
  if (field === 'category') return catLabel(v);
  if (field === 'deadline') return v ? fmtDate(Number(v)) : t('f_none');
  if (field === 'responsible_leader' || field === 'handler') return v ? personLabel(v) : t('f_none');
  return v || t('f_none');
}

export function detailView(ctx: Ctx, st: DetailState) {
  const d = st.detail;
  if (!st.loaded) return html`${header(ctx, '…', '/')}<main class="detail"></main>`;
  if (!d) return html`${header(ctx, t('detail_not_found'), '/')}<main class="detail"><p class="empty">${t('detail_not_found')}</p></main>`;
  const leaderRole = mayManage(ctx.session.user.role);
  villagesOf(ctx);
  // What field staff may set (docs/permissions.md): severity only upwards, status only to
  // handling or resolved and never out of closed; assignments not at all.
  const sevRank = (s: string) => SEVERITIES.indexOf(s as Severity);
  const maySetSeverity = (s: string, from: number) => leaderRole || sevRank(s) >= from;
  // Closing and reopening go through the casework panel (outcome, note, transition entry).
  const maySetStatus = (s: string) =>
    s === d.status || (d.status !== 'closed' && s !== 'closed' && (leaderRole || s === 'handling' || s === 'resolved'));
  const mayPick = (field: ConflictField, v: string, values: string[]) => {
    if (leaderRole) return true;
    if (field === 'severity') return maySetSeverity(v, Math.max(...values.map(sevRank)));
    if (field === 'status') return maySetStatus(v);
    return !['responsible_leader', 'handler', 'deadline'].includes(field);
  };
  const conflicts = new Map(d.conflicts.map((c) => [c.field, c.values]));
  const conflictRow = (field: ConflictField) => {
    const values = conflicts.get(field);
    if (!values) return nothing;
    return html`<div class="conflict" data-testid="conflict-${field}">
      <span>${t('detail_conflict')}</span>
      ${values.map((v) => html`<span class="conflict-value">
        <b>${valueLabel(field, v)}</b>
        <button class="small" ?disabled=${!mayPick(field, v, values)} @click=${() => edit(ctx, st, { op: 'pick', field, value: v })}>${t('detail_conflict_pick')}</button>
      </span>`)}
    </div>`;
  };
  const field = (label: string, value: unknown, f?: ConflictField) => html`
    <div class="field"><dt>${label}</dt><dd>${value}${f ? conflictRow(f) : nothing}</dd></div>`;

  const textarea = () => document.querySelector<HTMLTextAreaElement>('[data-testid=description-edit]');
  const saveDesc = () => flush(st.desc, ctx.worker, st.doc, textarea);
  const onDescInput = (e: Event) => typed(st.desc, (e.target as HTMLTextAreaElement).value, () => void saveDesc());
  const stopEditing = async () => {
    await saveDesc();
    st.desc.editing = false;
    await loadDetail(ctx, st);
  };
  const addFollow = (e: Event) => {
    e.preventDefault();
    const text = st.followText.trim();
    if (!text) return;
    st.followText = '';
    void edit(ctx, st, { op: 'add_timeline', kind: st.followKind, text });
  };
  const setStatus = (s: Status) => {
    if (s === d.status) return;
    if (s === 'closed' && !confirm(t('detail_close_confirm'))) return ctx.rerender();
    void edit(ctx, st, { op: 'set_status', value: s, note: t('tl_status_text', { s: stLabel(s) }) });
  };
  const setSeverity = (s: Severity) => {
    if (s === d.severity) return;
    if (s === 'urgent' && !confirm(t('sev_urgent_confirm'))) return ctx.rerender();
    void edit(ctx, st, { op: 'set_severity', value: s });
  };
  const assign = (e: Event) => {
    e.preventDefault();
    const deadline = st.deadline ? deadlineOfDay(dayOfDate(st.deadline)) : null; // a Beijing calendar day
    const leader = pickedId(st.leader);
    const handler = pickedId(st.handler);
    if (leader === undefined || handler === undefined) return ctx.toast(t('people_pick_choose'));
    // The timeline keeps the names as they were when assigned: it is read as a record.
    void edit(ctx, st, {
      op: 'assign', responsible_leader: leader, handler, deadline,
      text: t('tl_assign_text', { leader: leader ? nameOf(leader) : t('f_none'), handler: handler ? nameOf(handler) : t('f_none'), deadline: st.deadline || t('f_none') }),
    });
  };
  const val = (e: Event) => (e.target as HTMLInputElement).value;

  return html`
    ${header(ctx, d.case_no ?? t('detail_title_unnumbered'), '/')}
    <main class="detail" data-testid="detail">
      <div class="detail-head">
        <span class="badge sev ${d.severity}">${sevLabel(d.severity)}</span>
        <span class="badge st">${stLabel(d.status)}</span>
        ${deliveryBadge(d.delivery)}
      </div>
      <h2 class="detail-title" data-testid="detail-title">${d.title}</h2>
      ${conflictRow('title')}
      ${d.rejection ? html`<div class="error" role="alert">${t('detail_rejected_reason', { msg: d.rejection.message || d.rejection.code })}
        <button class="small" @click=${() => void ctx.worker.call('clearRejection', { doc: st.doc })}>${t('detail_retry')}</button></div>` : ''}

      <dl class="fields">
        ${field(t('f_case_no'), d.case_no ?? t('f_case_no_pending'))}
        ${field(t('f_category'), catLabel(d.category), 'category')}
        ${field(t('f_severity'), html`<select data-testid="severity-select" aria-label=${t('f_severity')} @change=${(e: Event) => setSeverity(val(e) as Severity)}>
            ${SEVERITIES.map((s) => html`<option value=${s} ?selected=${s === d.severity} ?disabled=${!maySetSeverity(s, sevRank(d.severity))}>${sevLabel(s)}</option>`)}</select>`, 'severity')}
        ${field(t('f_status'), html`<select data-testid="status-select" aria-label=${t('f_status')} @change=${(e: Event) => setStatus(val(e) as Status)}>
            ${STATUSES.map((s) => html`<option value=${s} ?selected=${s === d.status} ?disabled=${!maySetStatus(s)}>${stLabel(s)}</option>`)}</select>`, 'status')}
        ${field(t('f_village'), d.village === ctx.session.unit.code ? ctx.session.unit.name : villageName(ctx, d.village))}
        ${field(t('f_reporter'), html`<span data-testid="reporter">${personLabel(d.reporter)}</span>`)}
        ${field(t('f_reported_at'), fmtTime(d.reported_at))}
        ${d.clock_corrections.length ? field(t('f_clock'), html`<span class="warn" data-testid="clock-corrected">${t('clock_corrected', {
          n: d.clock_corrections.length, claimed: fmtTimeYear(d.clock_corrections[0].claimed), corrected: fmtTimeYear(d.clock_corrections[0].corrected) })}</span>`) : ''}
        ${field(t('f_location'), d.location ? t('f_location_value', { lat: d.location.lat.toFixed(5), lon: d.location.lon.toFixed(5), acc: d.location.accuracy_m ?? '?' }) : t('f_location_none'))}
        ${field(t('f_responsible_leader'), html`<span data-testid="responsible-leader">${personLabel(d.responsible_leader) || t('f_none')}</span>`, 'responsible_leader')}
        ${field(t('f_handler'), html`<span data-testid="handler">${personLabel(d.handler) || t('f_none')}</span>`, 'handler')}
        ${field(t('f_deadline'), d.deadline ? fmtDate(d.deadline) : t('f_none'), 'deadline')}
      </dl>
      ${caseworkPanel(ctx, d, (e) => edit(ctx, st, e))}

      <section>
        <h3>${t('f_description')}</h3>
        ${overLimit(d, 'description')}
        ${st.desc.editing
          ? html`<textarea rows="6" maxlength="5000" data-testid="description-edit" aria-label=${t('f_description')} .value=${st.desc.draft}
              @input=${onDescInput} @blur=${() => void stopEditing()}></textarea>`
          : html`<p class="description" data-testid="description" @click=${() => { startEditing(st.desc, d.heads, d.description); ctx.rerender(); }}>${d.description || '—'}</p>`}
      </section>

      ${overLimit(d, 'attachments')}
      ${photoStrip(d.attachments)}
      <div class="actions">${addPhotoButton(ctx, d)}</div>

      ${d.parties.length ? html`<section><h3>${t('f_parties')}</h3>${overLimit(d, 'parties')}<ul class="parties">
        ${d.parties.map((p) => html`<li><b>${p.name}</b> ${p.phone ? html`<a href="tel:${p.phone}">${p.phone}</a>` : ''} <span class="muted">${p.note ?? ''}</span></li>`)}
      </ul></section>` : ''}

      ${leaderRole ? html`<section class="panel" data-testid="leader-actions">
        <h3>${t('detail_leader_actions')}</h3>
        <div class="actions">
          ${d.status === 'reported' ? html`<button class="primary" data-testid="ack" @click=${() => edit(ctx, st, { op: 'acknowledge', text: t('tl_ack_text') })}>${t('detail_ack')}</button>` : ''}
        </div>
        <form @submit=${assign} class="assign">
          ${personPicker(ctx, st.leader, { testid: 'assign-leader', label: t('f_responsible_leader'), leadersFirst: true })}
          ${personPicker(ctx, st.handler, { testid: 'assign-handler', label: t('f_handler'), leadersFirst: false })}
          <label>${t('f_deadline')}<input type="date" data-testid="assign-deadline" .value=${st.deadline} @input=${(e: Event) => { st.deadline = val(e); }} /></label>
          <button class="primary" type="submit" data-testid="assign">${t('detail_assign')}</button>
        </form>
      </section>` : ''}

      <section>
        <h3>${t('detail_timeline')}</h3>
        ${overLimit(d, 'timeline')}
        ${d.timeline.length === 0 ? html`<p class="muted">${t('detail_timeline_empty')}</p>` : html`
          <ol class="timeline" data-testid="timeline">
            ${[...d.timeline].sort((a, b) => a.at - b.at).map((e) => html`<li>
              <div class="tl-head"><b>${tlLabel(e.kind)}</b> <span class="muted" data-testid="tl-by">${fmtTime(e.at)} · ${nameOf(e.by)}</span></div>
              <div>${e.text}</div>${e.kind === 'mediation' ? agreementThumb(d, e.id) : nothing}</li>`)}
          </ol>`}
        <form class="followup" @submit=${addFollow}>
          <h4>${t('detail_add_followup')}</h4>
          <div class="chips">
            ${(['visit', 'note'] as const).map((k) => html`<button type="button" class="chip ${st.followKind === k ? 'on' : ''}"
              @click=${() => { st.followKind = k; ctx.rerender(); }}>${tlLabel(k)}</button>`)}
          </div>
          <textarea rows="3" maxlength="2000" data-testid="followup-text" aria-label=${t('detail_add_followup')} placeholder=${t('detail_followup_ph')}
            .value=${st.followText} @input=${(e: Event) => { st.followText = val(e); }}></textarea>
          <button class="primary" type="submit" data-testid="followup-add">${t('detail_followup_add')}</button>
        </form>
        ${mediationForm(ctx, d)}
      </section>
      ${alertLogView(ctx, st.doc)}
      ${historyView(ctx, st.doc)}
    </main>`;
}
