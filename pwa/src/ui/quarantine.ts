// Settings → the quarantine, for administrators: pushes the server refused from people of their
// jurisdiction (who, which device, which record, when, why), released after the cause is fixed
// (the server judges them again under today's rules) or exported to keep.
import { html } from 'lit-html';
import type { QuarantineItem } from '../api/types';
import { t } from '../i18n';
import type { Ctx } from './ctx';
import { fmtTime } from './format';
import { isAdmin } from '../rules/roles';

export interface QuarantineState { items: QuarantineItem[] | null; error: string | null }

export const managesQuarantine = isAdmin;

export function freshQuarantine(): QuarantineState {
  return { items: null, error: null };
}

export async function loadQuarantine(ctx: Ctx, st: QuarantineState): Promise<void> {
  try {
    st.items = await ctx.api.quarantine();
    st.error = null;
  } catch {
    st.error = t('quarantine_unavailable');
  }
  ctx.rerender();
}

async function release(ctx: Ctx, st: QuarantineState, q: QuarantineItem): Promise<void> {
  try {
    const r = await ctx.api.releaseQuarantined(q.id);
    ctx.toast(r.status === 'ok' ? t('quarantine_released') : t('quarantine_refused_again', { msg: r.reason?.message ?? r.status }));
  } catch {
    ctx.toast(t('quarantine_unavailable'));
  }
  await loadQuarantine(ctx, st);
}

/** Download the item's export (details, changes, the record as it would read) as a file. */
async function exportItem(ctx: Ctx, q: QuarantineItem): Promise<void> {
  try {
    const url = URL.createObjectURL(await ctx.api.quarantinedFile(q.id));
    const a = Object.assign(document.createElement('a'), { href: url, download: `quarantine-${q.id}.json` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch {
    ctx.toast(t('quarantine_unavailable'));
  }
}

export function quarantinePanel(ctx: Ctx, st: QuarantineState) {
  const list = st.items;
  return html`
    <section class="panel" data-testid="quarantine">
      <h3>${t('quarantine_title')}</h3>
      ${st.error ? html`<p class="muted">${st.error}</p>` : list === null ? html`<p class="muted">…</p>`
        : list.length === 0 ? html`<p class="muted" data-testid="quarantine-empty">${t('quarantine_empty')}</p>` : html`
        <ul class="devices">
          ${list.map((q) => html`
            <li data-testid="quarantine-row">
              <span><b>${q.user_name}</b> <span class="muted">${q.unit_name} · ${t('quarantine_row', {
                who: q.user_id, device: `#${q.device_id} ${q.device_label}`, when: fmtTime(q.received_at),
              })}</span><br>${q.message} <span class="muted">${q.code} · ${q.doc}</span></span>
              <span>
                <button class="small" data-testid="quarantine-release" @click=${() => void release(ctx, st, q)}>${t('quarantine_release')}</button>
                <button class="small" @click=${() => void exportItem(ctx, q)}>${t('quarantine_export')}</button>
              </span>
            </li>`)}
        </ul>`}
      <p class="muted">${t('quarantine_explain')}</p>
    </section>`;
}
