// Open cases by severity and category: the count a leader triages from. A disputed closure is
// still open (the responsible leader has not confirmed it).
import { html } from 'lit-html';
import { t } from '../i18n';
import { CATEGORIES, SEVERITIES, type CaseListItem } from '../model/types';
import { catLabel, sevLabel } from './format';

export const isOpen = (c: CaseListItem) => c.status !== 'closed' || !!c.needs_confirmation;

export function openMatrix(cases: CaseListItem[]) {
  const open = cases.filter(isOpen);
  if (!open.length) return '';
  const sevs = [...SEVERITIES].reverse();
  const cats = CATEGORIES.filter((c) => open.some((x) => x.category === c));
  const n = (cat: string, sev: string) => open.filter((c) => c.category === cat && c.severity === sev).length;
  return html`<details class="matrix" data-testid="open-matrix"><summary>${t('leader_open_by')} <small>${open.length}</small></summary>
    <table><thead><tr><th></th>${sevs.map((s) => html`<th>${sevLabel(s)}</th>`)}</tr></thead>
      <tbody>${cats.map((c) => html`<tr><th>${catLabel(c)}</th>${sevs.map((s) => html`<td>${n(c, s) || ''}</td>`)}</tr>`)}</tbody></table>
  </details>`;
}
