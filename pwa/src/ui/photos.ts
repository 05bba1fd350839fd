// Photos on the new-case screen (take, downscale, keep) and on case detail (thumbnails with
// where each one is: only on this phone, uploading n%, uploaded).
import { html, nothing } from 'lit-html';
import { t } from '../i18n';
import type { Attachment } from '../model/types';
import { downscale, FOR_FAST, FOR_SLOW, sha256Hex } from '../photos/capture';
import { linkIsSlow, measureLink, netInfo } from '../photos/link';
import { photoView } from '../photos';
import type { NewPhoto } from '../photos/store';
import type { Ctx } from './ctx';
import { icon } from './icons';

/** A photo taken for a case not yet saved, with its preview. */
export interface PickedPhoto extends NewPhoto { url: string }

/** At most this many per case from the form (the schema allows 50 attachments in all). */
export const MAX_PHOTOS = 10;

export const attachmentsOf = (photos: PickedPhoto[]): Attachment[] =>
  photos.map(({ sha256, mime, size }) => ({ sha256, mime, size }));

/** One picked file, downscaled and named by its hash, with a preview; null (and a toast) when
 *  the file is no picture the browser can read. */
export async function preparePhoto(ctx: Ctx, file: File): Promise<PickedPhoto | null> {
  const busy = processingOf(ctx);
  busy.n++;
  ctx.rerender();
  try {
    measureLink();
    const { bytes, mime } = await downscale(file, linkIsSlow(netInfo()) ? FOR_SLOW : FOR_FAST);
    const sha256 = await sha256Hex(bytes);
    return { sha256, mime, size: bytes.length, bytes, url: URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime })) };
  } catch (e) {
    ctx.toast(t('photo_failed', { msg: (e as Error).message }));
    return null;
  } finally {
    busy.n--;
    ctx.rerender();
  }
}

/** How many photos are being downscaled now, for the session (its screen store). */
const processingOf = (ctx: Ctx) => ctx.screens.keep('photos:processing', () => ({ n: 0 }));

/** Whether a photo is being downscaled now. */
export const photoProcessing = (ctx: Ctx) => processingOf(ctx).n > 0;

async function take(ctx: Ctx, photos: PickedPhoto[], files: FileList | null): Promise<void> {
  for (const file of [...(files ?? [])].slice(0, MAX_PHOTOS - photos.length)) {
    const p = await preparePhoto(ctx, file);
    if (p && !photos.some((x) => x.sha256 === p.sha256)) photos.push(p);
  }
}

export function photoPicker(ctx: Ctx, photos: PickedPhoto[]) {
  const remove = (i: number) => {
    URL.revokeObjectURL(photos[i].url);
    photos.splice(i, 1);
    ctx.rerender();
  };
  return html`<fieldset>
    <legend>${t('f_photos')}</legend>
    <div class="photos">
      ${photos.map((p, i) => html`<figure class="photo" data-testid="photo-picked">
        <img src=${p.url} alt=${t('f_photos')} />
        <button type="button" class="small ghost" @click=${() => remove(i)}>${t('photo_remove')}</button>
      </figure>`)}
    </div>
    ${photoProcessing(ctx) ? html`<p class="muted" data-testid="photo-processing">${t('photo_processing')}</p>` : nothing}
    ${photos.length < MAX_PHOTOS ? html`<label class="button ghost photo-add">${icon('camera')} ${t('photo_add')}
      <input type="file" accept="image/*" capture="environment" data-testid="photo-input" class="visually-hidden"
        @change=${(e: Event) => { const input = e.target as HTMLInputElement; void take(ctx, photos, input.files).then(() => { input.value = ''; }); }} />
    </label>` : nothing}
  </fieldset>`;
}

function stateLabel(state: string, percent: number | null, kb?: { sent: number; size: number }): string {
  if (percent !== null) return t('photo_uploading', { n: percent, sent: kb?.sent ?? 0, size: kb?.size ?? 0 });
  if (state === 'local') return t('photo_local');
  if (state === 'uploaded' || state === 'cached') return t('photo_uploaded');
  if (state === 'missing') return t('photo_missing');
  return t('photo_loading');
}

/** Thumbnails of a case's photos; a photo not on this phone is fetched and kept. */
export function photoStrip(attachments: Attachment[]) {
  const images = attachments.filter((a) => a.mime.startsWith('image/'));
  if (!images.length) return nothing;
  return html`<section>
    <h3>${t('f_photos')}</h3>
    <div class="photos">
      ${images.map((a) => {
        const v = photoView(a.sha256, a.mime, a.size);
        return html`<figure class="photo" data-testid="photo" data-state=${v.percent !== null ? 'uploading' : v.state}>
          ${v.url ? html`<a href=${v.url} target="_blank" rel="noopener"><img src=${v.url} alt=${t('f_photos')} /></a>` : html`<div class="photo-empty"></div>`}
          <figcaption data-testid="photo-state">${stateLabel(v.state, v.percent, v.kb)}</figcaption>
        </figure>`;
      })}
    </div>
  </section>`;
}
