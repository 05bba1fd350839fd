// Choosing a person by name: type part of a name (or unit, or id), pick from the matches. The
// directory comes from src/people.ts; an id typed whole is accepted even when this phone's copy
// of the directory does not list it yet (the server checks nothing about who is named).
import { html, nothing } from 'lit-html';
import { t } from '../i18n';
import { directory, matchPeople, nameOf, resolvePerson } from '../people';
import type { Person } from '../db/schema';
import type { Ctx } from './ctx';
import { roleLabel } from './format';

export interface PickerState {
  /** What the input shows: a chosen person's name, or what was typed. */
  text: string;
  /** The person chosen from the list; null while the text is only typed. */
  id: string | null;
  open: boolean;
}

export function pickerFor(id: string | null): PickerState {
  return { text: id ? nameOf(id) : '', id, open: false };
}

/** The user id the picker stands for: null when empty, undefined when the text names nobody
 *  (or two people) and the person must choose from the list. */
export function pickedId(p: PickerState): string | null | undefined {
  if (p.id && p.text === nameOf(p.id)) return p.id;
  return resolvePerson(directory()?.all() ?? [], p.text);
}

/** "林秀英（库区维稳信息员）": a name with its role, for anywhere a user id would show. */
export function personLabel(id: string | null | undefined): string {
  if (!id) return '';
  const p = directory()?.get(id);
  return p ? `${p.name}（${roleLabel(p.role)}）` : nameOf(id);
}

const optionText = (p: Person) => `${roleLabel(p.role)} · ${p.unit_name}`;

export function personPicker(ctx: Ctx, p: PickerState, opts: { testid: string; label: string; leadersFirst: boolean }) {
  // Filled before the directory arrived: show the name now that it is known.
  if (p.id && p.text === p.id) p.text = nameOf(p.id);
  const matches = p.open ? matchPeople(directory()?.all() ?? [], p.id ? '' : p.text, opts.leadersFirst) : [];
  const choose = (x: Person) => {
    Object.assign(p, { id: x.id, text: x.name, open: false });
    ctx.rerender();
  };
  const listId = `${opts.testid}-list`;
  return html`<div class="person-picker">
    <label>${opts.label}<input data-testid=${opts.testid} role="combobox" autocomplete="off" aria-autocomplete="list"
      aria-expanded=${matches.length > 0 ? 'true' : 'false'} aria-controls=${listId} placeholder=${t('people_pick_ph')}
      .value=${p.text}
      @focus=${() => { p.open = true; ctx.rerender(); }}
      @blur=${() => setTimeout(() => { p.open = false; ctx.rerender(); }, 200)}
      @input=${(e: Event) => { Object.assign(p, { text: (e.target as HTMLInputElement).value, id: null, open: true }); ctx.rerender(); }}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') { p.open = false; ctx.rerender(); }
        if (e.key === 'Enter' && p.open && matches.length === 1 && !p.id) { e.preventDefault(); choose(matches[0]); }
      }} /></label>
    ${matches.length ? html`<ul class="person-options" role="listbox" id=${listId} data-testid="${opts.testid}-options">
      ${matches.map((x) => html`<li role="option" aria-selected=${x.id === p.id ? 'true' : 'false'}>
        <button type="button" class="person-option" data-testid="${opts.testid}-option" data-id=${x.id}
          @mousedown=${(e: Event) => e.preventDefault()} @click=${() => choose(x)}>
          <b>${x.name}</b> <span class="muted">${optionText(x)}</span></button></li>`)}
    </ul>` : nothing}
  </div>`;
}
