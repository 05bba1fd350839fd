// Photos added to a case already recorded: 补充照片 (one more picture of the scene) and 记录调解,
// the mediation outcome with the signed agreement photographed or scanned (issue 6 item 3). Both
// keep the picture on the phone, name it in the case's `attachments` and upload it after the
// case syncs, exactly like the photos taken with a new case.
import { html, nothing } from 'lit-html';
import { t } from '../i18n';
import { MAX_ATTACHMENTS } from '../model/case-text';
import type { Attachment, CaseEdit } from '../model/types';
import { attachPhoto, photoView } from '../photos';
import type { CaseDetail } from '../worker/rpc';
import type { Ctx } from './ctx';
import { icon } from './icons';
import { photoProcessing, preparePhoto, type PickedPhoto } from './photos';

interface MediationForm { open: boolean; text: string; photo: PickedPhoto | null; busy: boolean }
const formOf = (ctx: Ctx, doc: string): MediationForm =>
  ctx.screens.keep(`mediation:${doc}`, () => ({ open: false, text: '', photo: null, busy: false }));

const attachment = ({ sha256, mime, size }: PickedPhoto): Attachment => ({ sha256, mime, size });
const fileOf = (e: Event) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0] ?? null;
  input.value = '';
  return file;
};

/** Write `edit` naming `photo` (or no photo) to the case, keeping the photo for upload. */
async function save(ctx: Ctx, doc: string, photo: PickedPhoto | null, edit: CaseEdit): Promise<void> {
  const write = () => ctx.worker.call('edit', { doc, edit });
  if (photo) await attachPhoto(doc, photo, write);
  else await write();
}

function full(ctx: Ctx, d: CaseDetail): boolean {
  if (d.attachments.length < MAX_ATTACHMENTS) return false;
  ctx.toast(t('photo_too_many', { n: MAX_ATTACHMENTS }));
  return true;
}

/** 补充照片: one tap, camera or gallery, saved to the case at once. */
export function addPhotoButton(ctx: Ctx, d: CaseDetail) {
  const add = async (e: Event) => {
    const file = fileOf(e);
    if (!file || full(ctx, d)) return;
    const p = await preparePhoto(ctx, file);
    if (!p) return;
    try {
      await save(ctx, d.doc, p, { op: 'add_attachment', attachment: attachment(p) });
      ctx.toast(t('photo_added'));
    } catch (err) {
      ctx.toast(t('error_generic', { msg: (err as Error).message }));
    } finally {
      URL.revokeObjectURL(p.url);
    }
  };
  return html`<label class="button ghost photo-add">${icon('camera')} ${t('photo_add_more')}
    <input type="file" accept="image/*" capture="environment" data-testid="photo-add-existing" class="visually-hidden"
      @change=${(e: Event) => void add(e)} /></label>`;
}

/** 记录调解: the outcome in words and, optionally, the agreement's photo. */
export function mediationForm(ctx: Ctx, d: CaseDetail) {
  const f = formOf(ctx, d.doc);
  if (!f.open) {
    return html`<button type="button" class="ghost" data-testid="mediation-open" @click=${() => { f.open = true; ctx.rerender(); }}>
      ${t('med_open')}</button>`;
  }
  const setPhoto = (p: PickedPhoto | null) => {
    if (f.photo) URL.revokeObjectURL(f.photo.url);
    f.photo = p;
    ctx.rerender();
  };
  const pick = async (e: Event) => {
    const file = fileOf(e);
    if (file && !full(ctx, d)) setPhoto(await preparePhoto(ctx, file));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const text = f.text.trim();
    if (!text) return ctx.toast(t('med_need_text'));
    if (f.busy || photoProcessing(ctx)) return;
    f.busy = true;
    ctx.rerender();
    try {
      await save(ctx, d.doc, f.photo, { op: 'record_mediation', text, attachment: f.photo ? attachment(f.photo) : null });
      setPhoto(null);
      Object.assign(f, { open: false, text: '' });
      ctx.toast(t('med_saved'));
    } catch (err) {
      ctx.toast(t('error_generic', { msg: (err as Error).message }));
    } finally {
      f.busy = false;
      ctx.rerender();
    }
  };
  return html`<form class="mediation panel" data-testid="mediation-form" @submit=${(e: Event) => void submit(e)}>
    <h4>${t('med_open')}</h4>
    <label>${t('med_text')}<textarea rows="3" maxlength="2000" data-testid="mediation-text" placeholder=${t('med_text_ph')}
      .value=${f.text} @input=${(e: Event) => { f.text = (e.target as HTMLTextAreaElement).value; }}></textarea></label>
    <div class="photos">
      ${f.photo ? html`<figure class="photo" data-testid="mediation-photo-picked"><img src=${f.photo.url} alt=${t('med_agreement_short')} />
        <button type="button" class="small ghost" @click=${() => setPhoto(null)}>${t('photo_remove')}</button></figure>` : nothing}
    </div>
    ${photoProcessing(ctx) ? html`<p class="muted">${t('photo_processing')}</p>` : nothing}
    <label class="button ghost photo-add">${t('med_agreement')}
      <input type="file" accept="image/*" capture="environment" data-testid="mediation-photo" class="visually-hidden"
        @change=${(e: Event) => void pick(e)} /></label>
    <div class="actions">
      <button class="primary" type="submit" data-testid="mediation-save" ?disabled=${f.busy}>${t('med_save')}</button>
      <button type="button" class="ghost" @click=${() => { setPhoto(null); f.open = false; ctx.rerender(); }}>${t('med_cancel')}</button>
    </div>
  </form>`;
}

/** The agreement a mediation entry names, as a thumbnail that opens the full picture. */
export function agreementThumb(d: CaseDetail, entry: string) {
  const sha = d.agreements.find((a) => a.entry === entry)?.sha256;
  const a = sha ? d.attachments.find((x) => x.sha256 === sha) : undefined;
  if (!a) return nothing;
  const v = photoView(a.sha256, a.mime, a.size);
  return html`<figure class="photo agreement" data-testid="agreement" data-state=${v.state}>
    ${v.url ? html`<a href=${v.url} target="_blank" rel="noopener"><img src=${v.url} alt=${t('med_agreement_short')} /></a>` : html`<div class="photo-empty"></div>`}
    <figcaption>${t('med_agreement_short')}</figcaption></figure>`;
}
