// A case's change history (修改记录): who changed which field, when, from what to what — the
// server's audit trail (GET /api/v1/cases/{doc}/history), with JSON and CSV downloads. It is the
// server's record, not part of the case document, so it needs a connection; it is fetched only
// when the person opens the section.
import { html, nothing } from 'lit-html';
import { t, type MessageKey } from '../i18n';
import type { FieldChange, HistoryEntry } from '../api/types';
import { isOnline, type Ctx } from './ctx';
import { catLabel, fmtTime, sevLabel, stLabel } from './format';
import { nameOf } from '../people';

interface Shown {
  open: boolean;
  loading: boolean;
  entries?: HistoryEntry[];
  error?: string;
}

const key = (doc: string) => `history:${doc}`;

const FIELD_LABELS: Record<string, MessageKey> = {
  case_no: 'f_case_no', title: 'f_title', category: 'f_category', severity: 'f_severity', status: 'f_status',
  description: 'f_description', parties: 'f_parties', village: 'f_village', reporter: 'f_reporter',
  reported_at: 'f_reported_at', location: 'f_location', responsible_leader: 'f_responsible_leader',
  handler: 'f_handler', deadline: 'f_deadline', timeline: 'detail_timeline', attachments: 'f_photos',
};

/** A field's name and a value as a person reads them: enums and times in words. */
export function describeChange(f: FieldChange): { label: string; old: string; new: string } {
  const value = (v: string | null): string => {
    if (v == null || v === '') return t('history_blank');
    if (f.field === 'severity') return sevLabel(v);
    if (f.field === 'status') return stLabel(v);
    if (f.field === 'category') return catLabel(v);
    if ((f.field === 'deadline' || f.field === 'reported_at') && /^\d+$/.test(v)) return fmtTime(Number(v));
    if (f.field === 'responsible_leader' || f.field === 'handler' || f.field === 'reporter') return nameOf(v);
    return v;
  };
  const key = FIELD_LABELS[f.field];
  return { label: key ? t(key) : f.field, old: value(f.old), new: value(f.new) };
}

export function whoLabel(e: HistoryEntry): string {
  if (e.server || !e.user) return t('history_server');
  return e.device ? `${e.user.name} · ${e.device.label}` : e.user.name;
}

async function load(ctx: Ctx, doc: string, s: Shown): Promise<void> {
  s.loading = true;
  s.error = undefined;
  ctx.rerender();
  try {
    s.entries = await ctx.api.caseHistory(doc);
  } catch (err) {
    s.error = (err as Error).message;
  }
  s.loading = false;
  ctx.rerender();
}

/** Download through a Blob URL: the request needs the bearer token, which a plain link cannot carry. */
async function download(ctx: Ctx, doc: string, format: 'json' | 'csv'): Promise<void> {
  try {
    const blob = await ctx.api.caseHistoryFile(doc, format);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `case-${doc}-history.${format}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    ctx.toast(t('history_failed', { msg: (err as Error).message }));
  }
}

function toggle(ctx: Ctx, doc: string, e: Event): void {
  const s = ctx.screens.keep<Shown>(key(doc), () => ({ open: false, loading: false }));
  s.open = (e.target as HTMLDetailsElement).open;
  if (s.open && isOnline(ctx) && !s.loading) void load(ctx, doc, s);
  else ctx.rerender();
}

export function historyView(ctx: Ctx, doc: string) {
  const s = ctx.screens.peek<Shown>(key(doc));
  const online = isOnline(ctx);
  const body = () => {
    if (!online) return html`<p class="muted" data-testid="history-offline">${t('history_offline')}</p>`;
    if (s?.error) return html`<p class="error">${t('history_failed', { msg: s.error })}</p>`;
    if (!s?.entries) return html`<p class="muted">${t('history_loading')}</p>`;
    if (s.entries.length === 0) return html`<p class="muted">${t('history_empty')}</p>`;
    return html`<ol class="timeline" data-testid="history-list">
      ${[...s.entries].reverse().map((e) => html`<li>
        <div class="tl-head"><b>${whoLabel(e)}</b> <span class="muted">${fmtTime(e.received_at)}</span></div>
        ${e.fields.length === 0 ? html`<div class="muted">${t('history_no_fields')}</div>` : e.fields.map((f) => {
          const d = describeChange(f);
          return html`<div><span class="muted">${d.label}：</span>${d.old} → ${d.new}</div>`;
        })}
      </li>`)}
    </ol>`;
  };
  return html`
    <section class="history">
      <details data-testid="history" ?open=${s?.open ?? false} @toggle=${(e: Event) => toggle(ctx, doc, e)}>
        <summary><h3>${t('history_title')}</h3></summary>
        ${s?.open ? body() : nothing}
        ${s?.open && online ? html`<div class="actions">
          <button class="small" data-testid="history-json" @click=${() => void download(ctx, doc, 'json')}>${t('history_download_json')}</button>
          <button class="small" data-testid="history-csv" @click=${() => void download(ctx, doc, 'csv')}>${t('history_download_csv')}</button>
        </div>` : nothing}
      </details>
    </section>`;
}
