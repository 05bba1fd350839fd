// 登记信访: a new petition item, recorded offline like a case; the statutory clock starts at the
// date received.
import { html } from 'lit-html';
import { t, type MessageKey } from '../i18n';
import { SOURCES, type Source } from '../model/petition-steps';
import { PETITION_KIND } from '../model/record-kinds';
import type { Ctx } from './ctx';
import { header } from './officer-home';
import { atOfDate, todayDate, villagesOf } from './records-common';

export interface PetitionFormState { village: string; source: Source; name: string; phone: string; id_no: string; request: string; date: string; error: string | null; busy: boolean }

export function freshPetitionForm(): PetitionFormState {
  return { village: '', source: 'visit', name: '', phone: '', id_no: '', request: '', date: todayDate(), error: null, busy: false };
}

export function petitionForm(ctx: Ctx, f: PetitionFormState) {
  const villages = villagesOf(ctx) ?? [];
  if (!f.village && villages.length) f.village = villages[0].code;
  const bind = (key: 'name' | 'phone' | 'id_no' | 'request' | 'date' | 'village') => (e: Event) => {
    f[key] = (e.target as HTMLInputElement).value;
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const missing = ([['village', 'pet_f_village'], ['name', 'pet_f_name'], ['request', 'pet_f_request']] as const)
      .filter(([k]) => !f[k].trim()).map(([, label]) => t(label as MessageKey));
    if (missing.length) { f.error = t('pet_err_missing', { what: missing.join('、') }); return ctx.rerender(); }
    if (f.date > todayDate()) { f.error = t('pet_err_future'); return ctx.rerender(); }
    f.busy = true;
    ctx.rerender();
    try {
      const input = {
        village: f.village, source: f.source, name: f.name, phone: f.phone.trim() || null, id_no: f.id_no.trim() || null,
        request: f.request, received_at: atOfDate(f.date),
      };
      const id = await ctx.worker.call('createRecord', { kind: PETITION_KIND, input });
      ctx.go(`/petition/${id}`);
    } catch (err) {
      f.error = (err as Error).message;
      f.busy = false;
      ctx.rerender();
    }
  };
  return html`
    ${header(ctx, t('pet_new'), '/petitions')}
    <main class="form">
      <form @submit=${save} data-testid="petition-form">
        <label>${t('pet_f_village')}
          ${villages.length ? html`<select data-testid="pf-village" @change=${bind('village')}>
              ${villages.map((v) => html`<option value=${v.code} ?selected=${v.code === f.village}>${v.name}</option>`)}</select>`
            : html`<p class="hint">${t('rec_no_villages')}</p>`}</label>
        <label>${t('pet_f_source')}
          <select data-testid="pf-source" @change=${(e: Event) => { f.source = (e.target as HTMLSelectElement).value as Source; }}>
            ${SOURCES.map((s) => html`<option value=${s} ?selected=${s === f.source}>${t(`src_${s}` as MessageKey)}</option>`)}
          </select></label>
        <label>${t('pet_f_received')} <input type="date" data-testid="pf-date" .value=${f.date} max=${todayDate()} @input=${bind('date')}></label>
        <label>${t('pet_f_name')} <input data-testid="pf-name" maxlength="50" .value=${f.name} @input=${bind('name')}></label>
        <label>${t('pet_f_phone')} <input type="tel" data-testid="pf-phone" maxlength="20" .value=${f.phone} @input=${bind('phone')}></label>
        <label>${t('pet_f_id')} <input data-testid="pf-id" maxlength="18" .value=${f.id_no} @input=${bind('id_no')}></label>
        <label>${t('pet_f_request')} <textarea data-testid="pf-request" rows="5" .value=${f.request} @input=${bind('request')}></textarea></label>
        ${f.error ? html`<p class="error" data-testid="pf-error">${f.error}</p>` : ''}
        <button class="primary big" type="submit" ?disabled=${f.busy} data-testid="pf-save">${t('pet_save')}</button>
      </form>
    </main>`;
}
