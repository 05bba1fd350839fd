// Sweep screens: the officer's reports due (上报 / 无新增矛盾纠纷), and the leader's campaign
// list with completeness counted on this phone and the form that launches a campaign.
import { html } from 'lit-html';
import { t } from '../i18n';
import { CATEGORIES, OPEN_STATUSES, type Status } from '../model/types';
import { isOnline, type Ctx } from './ctx';
import { choice } from './choice';
import { catLabel, fmtDay } from './format';
import { isLeader } from '../rules/roles';
import { beijingDate } from '../rules/calendar';
import {
  answer, campaignShown, campaigns, clockCorrected, launchCampaign, launchTownships, localReport, phoneCompleteness, refreshSweeps, remindMissing,
} from './sweep-data';
import type { CampaignEntry } from '../api/types';
import { trustedNow } from './page-clock';

/** The sweep panels' open forms and choices, kept for the session (src/ui/screen-store.ts). */
const uiOf = (ctx: Ctx) =>
  ctx.screens.keep('sweeps', () => ({ open: '', picked: new Set<string>(), notes: '', launching: false, busy: false, expanded: '' }));

const day = fmtDay;

/** Say what is true: reported when online, kept on the phone until then when not. */
const sentText = (ctx: Ctx) => (isOnline(ctx) ? t('sweep_sent') : t('sweep_saved_offline'));

async function run(ctx: Ctx, f: () => Promise<void | string>, done: string) {
  const ui = uiOf(ctx);
  if (ui.busy) return;
  ui.busy = true;
  try {
    ctx.toast((await f()) || done);
  } catch (e) {
    ctx.toast(e instanceof Error ? e.message : String(e));
  } finally {
    ui.busy = false;
    ctx.rerender();
  }
}

/** The officer's home section: one row per open campaign and village they answer for. */
export function officerSweeps(ctx: Ctx) {
  refreshSweeps(ctx);
  const rows = campaigns(ctx)
    .filter((c) => campaignShown(c.campaign, trustedNow()))
    .flatMap((c) => c.villages.map((v) => ({ c, v })));
  if (rows.length === 0) return '';
  return html`<section class="sweeps" data-testid="sweeps-due">
    <h2>${t('sweep_due')}</h2>
    <ul class="cards">${rows.map(({ c, v }) => sweepRow(ctx, c, v.code, v.name))}</ul>
  </section>`;
}

function sweepRow(ctx: Ctx, c: CampaignEntry, village: string, villageName: string) {
  const ui = uiOf(ctx);
  const key = `${c.campaign.id}|${village}`;
  const mine = localReport(ctx, c.campaign.id, village)?.summary;
  const server = c.reports.find((r) => r.village === village);
  const found = Math.max(mine?.found ?? 0, server?.found ?? 0);
  const nil = !!(mine?.nil || server?.nil);
  const state = found > 0 ? t('sweep_answered_found', { n: found }) : nil ? t('sweep_answered_nil') : '';
  const late = trustedNow() > c.campaign.deadline;
  return html`<li class="card sweep" data-testid="sweep-row" data-campaign=${c.campaign.id} data-village=${village}>
    <div class="title">${c.campaign.name}</div>
    <div class="meta">${villageName} · ${t('sweep_deadline', { date: day(c.campaign.deadline) })}${late ? html` · <b class="late">${t('sweep_late')}</b>` : ''}</div>
    ${state ? html`<div class="meta answered" data-testid="sweep-state">${state}</div>` : ''}
    <div class="actions">
      <button class="small primary" data-testid="sweep-report" @click=${() => { ui.open = ui.open === key ? '' : key; ui.picked.clear(); ctx.rerender(); }}>${t('sweep_report')}</button>
      ${found === 0 && !nil ? html`<button class="small" data-testid="sweep-nil"
        @click=${() => run(ctx, () => answer(ctx, c.campaign.id, village, { nil: true }), sentText(ctx))}>${t('sweep_nil')}</button>` : ''}
    </div>
    ${ui.open === key ? reportForm(ctx, c, village) : ''}
  </li>`;
}

function reportForm(ctx: Ctx, c: CampaignEntry, village: string) {
  const ui = uiOf(ctx);
  const cases = ctx.cases.filter((x) => x.village === village && OPEN_STATUSES.includes(x.status as Status));
  const submit = () => {
    if (ui.picked.size === 0) return ctx.toast(t('sweep_pick_one'));
    void run(ctx, async () => {
      await answer(ctx, c.campaign.id, village, { found: [...ui.picked], notes: ui.notes.trim() || undefined });
      ui.open = '';
      ui.notes = '';
    }, sentText(ctx));
  };
  return html`<div class="sweep-form" data-testid="sweep-form">
    <p>${t('sweep_pick_cases')}</p>
    ${cases.length === 0 ? html`<p class="muted">${t('sweep_no_cases')}</p>` : ''}
    <div class="choices">${cases.map((x) => choice({ label: x.title, testid: 'sweep-case', checked: ui.picked.has(x.doc),
      onChange: (on) => { if (on) ui.picked.add(x.doc); else ui.picked.delete(x.doc); } }))}</div>
    <label>${t('sweep_notes')}<textarea @input=${(e: Event) => { ui.notes = (e.target as HTMLTextAreaElement).value; }}></textarea></label>
    <button class="primary" data-testid="sweep-submit" @click=${submit}>${t('sweep_submit')}</button>
  </div>`;
}

/** The leader's home section: campaigns with completeness counted on this phone. */
export function leaderSweeps(ctx: Ctx) {
  const ui = uiOf(ctx);
  refreshSweeps(ctx);
  const list = [...campaigns(ctx)].sort((a, b) => b.campaign.deadline - a.campaign.deadline).slice(0, 8);
  const mayLaunch = isLeader(ctx.session.user.role);
  return html`<section class="sweeps leader" data-testid="sweep-dashboard">
    <h2>${t('sweep_title')}</h2>
    ${mayLaunch ? html`<button class="small" data-testid="sweep-launch-open" @click=${() => { ui.launching = !ui.launching; ctx.rerender(); }}>${t('sweep_launch')}</button>` : ''}
    ${ui.launching ? launchForm(ctx) : ''}
    ${list.length === 0 ? html`<p class="empty">${t('sweep_none')}</p>` : ''}
    <ul class="cards">${list.map((c) => campaignCard(ctx, c))}</ul>
  </section>`;
}

function tally(x: { reported: number; nil: number; missing: number; late: number }) {
  return html`<span class="tally"><b data-testid="n-reported">${x.reported}</b> ${t('sweep_reported')} ·
    <b data-testid="n-nil">${x.nil}</b> ${t('sweep_nil_short')} · <b data-testid="n-missing">${x.missing}</b> ${t('sweep_missing')} ·
    <b data-testid="n-late">${x.late}</b> ${t('sweep_late')}</span>`;
}

function campaignCard(ctx: Ctx, c: CampaignEntry) {
  const ui = uiOf(ctx);
  const k = phoneCompleteness(ctx, c);
  const open = ui.expanded === c.campaign.id;
  const names = new Map(c.villages.map((v) => [v.code, v.name]));
  const towns = new Map(c.villages.map((v) => [v.township, v.township_name ?? v.township]));
  const answerLabel = { reported: t('sweep_reported'), nil: t('sweep_nil_short'), missing: t('sweep_missing') };
  const remind = (e: Event) => {
    e.stopPropagation();
    void run(ctx, async () => {
      const r = await remindMissing(ctx, c.campaign.id);
      return r.villages > 0 ? t('sweep_reminded', { villages: r.villages, people: r.people }) : t('sweep_reminded_none');
    }, '');
  };
  return html`<li class="card campaign" data-testid="campaign-card" data-campaign=${c.campaign.id}>
    <button class="campaign-head" data-testid="campaign-toggle" aria-expanded=${open ? 'true' : 'false'}
      @click=${() => { ui.expanded = open ? '' : c.campaign.id; ctx.rerender(); }}>
      <span class="title">${c.campaign.name} <small>${t(`sweep_kind_${c.campaign.kind}` as 'sweep_kind_concentrated')}</small></span>
      <span class="meta">${[...new Set(towns.values())].join('、')} · ${t('sweep_deadline', { date: day(c.campaign.deadline) })} · ${t('sweep_villages_of', { n: k.total.villages })}</span>
      <span class="meta" data-testid="campaign-tally">${tally(k.total)}</span>
    </button>
    ${open ? html`
      <table class="completeness" data-testid="township-completeness">${k.townships.map((tw) => html`<tr data-township=${tw.code}>
        <th>${towns.get(tw.code) ?? tw.code}</th><td>${tally(tw)}</td></tr>`)}</table>
      <ul class="villages">${k.villages.map((v) => html`<li data-testid="village-state" data-village=${v.code} data-answer=${v.answer} class=${v.answer}>
        <span>${names.get(v.code) ?? v.code}</span> <b>${answerLabel[v.answer]}${v.late ? ` · ${t('sweep_late')}` : ''}</b>
        ${clockCorrected(c, v.code) ? html`<small class="clock-warn" data-testid="sweep-clock">⚠ ${t('sweep_clock')}</small>` : ''}</li>`)}</ul>
      ${k.total.missing > 0 ? html`<button class="small primary" data-testid="sweep-remind" ?disabled=${!isOnline(ctx)} @click=${remind}>${t('sweep_remind')}</button>` : ''}` : ''}
  </li>`;
}

function launchForm(ctx: Ctx) {
  const ui = uiOf(ctx);
  const today = beijingDate(trustedNow());
  const towns = launchTownships(ctx);
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const start = Date.parse(`${f.get('start')}T00:00:00+08:00`);
    const deadline = Date.parse(`${f.get('deadline')}T23:59:59.999+08:00`);
    const input = {
      name: String(f.get('name') ?? '').trim(), kind: String(f.get('kind')),
      window_start: start, window_end: deadline + 1, deadline, focus: f.getAll('focus').map(String),
      townships: f.getAll('township').map(String),
    };
    void run(ctx, async () => { await launchCampaign(ctx, input); ui.launching = false; }, t('sweep_launched'));
  };
  return html`<form class="launch" data-testid="sweep-launch" @submit=${submit}>
    <label>${t('sweep_name')}<input name="name" required maxlength="100" data-testid="launch-name"></label>
    <label>${t('sweep_kind')}<select name="kind" data-testid="launch-kind">
      <option value="concentrated">${t('sweep_kind_concentrated')}</option><option value="special">${t('sweep_kind_special')}</option></select></label>
    <label>${t('sweep_start')}<input type="date" name="start" required value=${today} data-testid="launch-start"></label>
    <label>${t('sweep_deadline_label')}<input type="date" name="deadline" required value=${today} data-testid="launch-deadline"></label>
    ${towns.length > 1 ? html`<fieldset data-testid="launch-townships"><legend>${t('sweep_townships')}</legend>
      <div class="choices">${towns.map((tw) => choice({ label: tw.name, name: 'township', value: tw.code }))}</div></fieldset>` : ''}
    <fieldset data-testid="launch-focus"><legend>${t('sweep_focus')}</legend>
      <div class="choices">${CATEGORIES.map((c) => choice({ label: catLabel(c), name: 'focus', value: c }))}</div></fieldset>
    <button class="primary" type="submit" data-testid="launch-submit">${t('sweep_launch')}</button>
  </form>`;
}
