import { html } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import { t, type MessageKey } from '../i18n';
import { validateInput } from '../model/validate';
import { CATEGORIES, SEVERITIES, type Category, type Location, type Party, type Severity } from '../model/types';
import type { Ctx } from './ctx';
import { catLabel, sevLabel } from './format';
import { header } from './officer-home';
import { attachmentsOf, photoPicker, type PickedPhoto } from './photos';
import { keepPhotos, photosSaved } from '../photos';

export interface NewCaseState {
  category: Category | null;
  severity: Severity | null;
  title: string;
  description: string;
  parties: Party[];
  location: Location | null;
  locating: boolean;
  locError: string | null;
  errors: string[];
  saving: boolean;
  photos: PickedPhoto[];
}

export function freshNewCase(): NewCaseState {
  return { category: null, severity: null, title: '', description: '', parties: [], location: null, locating: false, locError: null, errors: [], saving: false, photos: [] };
}

/** Which field a form error belongs to: its message shows beside that field. */
const FIELD_OF: Record<string, string> = {
  new_need_category: 'category', new_need_severity: 'severity', new_need_title: 'title', new_title_too_long: 'title',
  new_description_too_long: 'description', new_party_name_needed: 'parties', new_party_phone_invalid: 'parties',
};
const FIELD_ORDER = ['category', 'severity', 'title', 'description', 'parties'];

/** After a refused save, bring the first marked field into view and put the focus there. */
function focusFirstInvalid(): void {
  // The re-render is already queued for this frame; this runs right after it.
  requestAnimationFrame(() => {
    const first = document.querySelector<HTMLElement>('main.form [data-field][data-invalid]');
    if (!first) return;
    const target = first.querySelector<HTMLElement>('input, textarea, button') ?? first;
    first.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  });
}

export function newCaseView(ctx: Ctx, st: NewCaseState) {
  const r = () => ctx.rerender();
  const errorsOf = (field: string) => st.errors.filter((k) => FIELD_OF[k] === field);
  const clear = (...keys: string[]) => {
    if (!keys.some((k) => st.errors.includes(k))) return;
    st.errors = st.errors.filter((k) => !keys.includes(k));
    r();
  };
  /** aria attributes for a field's control, and its message(s) beside it. */
  const invalid = (field: string) => (errorsOf(field).length ? 'true' : 'false');
  const described = (field: string) => (errorsOf(field).length ? `err-${field}` : undefined);
  const message = (field: string) => {
    const errs = errorsOf(field);
    return errs.length ? html`<p class="field-error" id="err-${field}" role="alert">${errs.map((k) => t(k as MessageKey)).join('；')}</p>` : '';
  };
  const marked = (field: string) => errorsOf(field).length > 0;
  const pickSeverity = (s: Severity) => {
    if (s === 'urgent' && st.severity !== 'urgent' && !confirm(t('sev_urgent_confirm'))) return;
    st.severity = s;
    clear('new_need_severity');
    r();
  };
  const locate = () => {
    if (!('geolocation' in navigator)) return;
    st.locating = true;
    st.locError = null;
    r();
    navigator.geolocation.getCurrentPosition(
      (p) => {
        st.location = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy) };
        st.locating = false;
        r();
      },
      (e) => {
        st.locating = false;
        st.locError = t('f_location_failed', { msg: e.message });
        r();
      },
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const errors: string[] = [];
    if (!st.category) errors.push('new_need_category');
    if (!st.severity) errors.push('new_need_severity');
    const input = {
      category: st.category ?? 'other', severity: st.severity ?? 'general', title: st.title,
      description: st.description, parties: st.parties.filter((p) => p.name.trim() || p.phone || p.note), location: st.location,
      attachments: attachmentsOf(st.photos),
    } as const;
    errors.push(...validateInput({ ...input, parties: [...input.parties] }));
    st.errors = [...errors].sort((a, b) => FIELD_ORDER.indexOf(FIELD_OF[a]) - FIELD_ORDER.indexOf(FIELD_OF[b]));
    if (errors.length) {
      r();
      focusFirstInvalid();
      return;
    }
    st.saving = true;
    r();
    try {
      await keepPhotos(st.photos);
      const id = await ctx.worker.call('create', { input: { ...input, parties: [...input.parties] } });
      await photosSaved(id, st.photos.map((p) => p.sha256));
      // From the tap's own timestamp to IndexedDB's commit: the figure BENCHMARKS.md records.
      performance.measure('anlan:tap-to-saved', { start: e.timeStamp, end: performance.now() });
      ctx.toast(t('new_saved'));
      ctx.go(`/case/${id}`);
    } catch (err) {
      st.saving = false;
      st.errors = [];
      ctx.toast(t('error_generic', { msg: (err as Error).message }));
      r();
    }
  };
  const val = (e: Event) => (e.target as HTMLInputElement).value;
  return html`
    ${header(ctx, t('new_title'), '/')}
    <main class="form">
      <form @submit=${save} novalidate>
        <fieldset data-field="category" ?data-invalid=${marked('category')}>
          <legend id="lg-category">${t('f_category')}</legend>
          ${message('category')}
          <div class="chips" role="radiogroup" aria-labelledby="lg-category" aria-invalid=${invalid('category')} aria-describedby=${ifDefined(described('category'))}>
            ${CATEGORIES.map((c) => html`
              <button type="button" role="radio" aria-checked=${st.category === c} class="chip ${st.category === c ? 'on' : ''}"
                data-testid="cat-${c}" @click=${() => { st.category = c; clear('new_need_category'); r(); }}>${catLabel(c)}</button>`)}
          </div>
        </fieldset>
        <fieldset data-field="severity" ?data-invalid=${marked('severity')}>
          <legend id="lg-severity">${t('f_severity')}</legend>
          ${message('severity')}
          <div class="sev-options" role="radiogroup" aria-labelledby="lg-severity" aria-invalid=${invalid('severity')} aria-describedby=${ifDefined(described('severity'))}>
            ${SEVERITIES.map((s) => html`
              <button type="button" role="radio" aria-checked=${st.severity === s} class="sev-option ${s} ${st.severity === s ? 'on' : ''}"
                data-testid="sev-${s}" @click=${() => pickSeverity(s)}>
                <strong>${sevLabel(s)}</strong><span>${t(`sev_${s}_explain` as MessageKey)}</span>
              </button>`)}
          </div>
        </fieldset>
        <div data-field="title" ?data-invalid=${marked('title')}>
        <label>${t('f_title')}
          <input maxlength="100" data-testid="title" placeholder=${t('f_title_ph')} .value=${st.title}
            aria-invalid=${invalid('title')} aria-describedby=${ifDefined(described('title'))}
            @input=${(e: Event) => { st.title = val(e); if (st.title.trim()) clear('new_need_title'); }} />
        </label>
        ${message('title')}
        </div>
        <div data-field="description" ?data-invalid=${marked('description')}>
        <label>${t('f_description')}
          <textarea rows="5" maxlength="5000" data-testid="description" placeholder=${t('f_description_ph')}
            aria-invalid=${invalid('description')} aria-describedby=${ifDefined(described('description'))}
            .value=${st.description} @input=${(e: Event) => { st.description = val(e); }}></textarea>
        </label>
        ${message('description')}
        </div>
        <fieldset data-field="parties" ?data-invalid=${marked('parties')}>
          <legend>${t('f_parties')}</legend>
          ${message('parties')}
          ${st.parties.map((p, i) => html`
            <div class="party-row" data-testid="party-row">
              <input maxlength="50" placeholder=${t('f_party_name')} aria-label=${t('f_party_name')} .value=${p.name} @input=${(e: Event) => { p.name = val(e); }} />
              <input maxlength="20" inputmode="tel" placeholder=${t('f_party_phone')} aria-label=${t('f_party_phone')} .value=${p.phone ?? ''} @input=${(e: Event) => { p.phone = val(e); }} />
              <input maxlength="200" placeholder=${t('f_party_note')} aria-label=${t('f_party_note')} .value=${p.note ?? ''} @input=${(e: Event) => { p.note = val(e); }} />
              <button type="button" class="small ghost" @click=${() => { st.parties.splice(i, 1); r(); }}>${t('f_party_remove')}</button>
            </div>`)}
          <button type="button" class="ghost" data-testid="add-party" @click=${() => { st.parties.push({ name: '', phone: '', note: '' }); r(); }}>＋ ${t('f_party_add')}</button>
        </fieldset>
        <fieldset>
          <legend>${t('f_location')}</legend>
          ${st.location
            ? html`<p>${t('f_location_value', { lat: st.location.lat.toFixed(5), lon: st.location.lon.toFixed(5), acc: st.location.accuracy_m ?? '?' })}</p>`
            : html`<button type="button" class="ghost" ?disabled=${st.locating} @click=${locate}>
                ${st.locating ? t('f_location_getting') : t('f_location_add')}</button>`}
          ${st.locError ? html`<p class="error">${st.locError}</p>` : ''}
        </fieldset>
        ${photoPicker(ctx, st.photos)}
        <div class="actions sticky">
          <button type="button" class="ghost" @click=${() => ctx.go('/')}>${t('new_cancel')}</button>
          <button type="submit" class="primary big" ?disabled=${st.saving} data-testid="save">${st.saving ? t('new_saving') : t('new_save')}</button>
        </div>
      </form>
    </main>`;
}
