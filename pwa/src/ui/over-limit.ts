// The note beside a field that concurrent edits took over its product limit (model/limits.ts):
// the case was accepted as merged and asks to be shortened, on every phone that holds it.
import { html, nothing } from 'lit-html';
import { t } from '../i18n';
import { TEXT_FIELDS, type OverLimit } from '../model/limits';

export function overLimit(d: { over_limits: OverLimit[] }, field: string) {
  const o = d.over_limits.find((x) => x.field === field);
  if (!o) return nothing;
  const key = TEXT_FIELDS.includes(field) ? 'over_limit_text' : 'over_limit_items';
  return html`<p class="over-limit" role="alert" data-testid="over-limit-${field}">${t(key, { count: o.count, limit: o.limit })}</p>`;
}
