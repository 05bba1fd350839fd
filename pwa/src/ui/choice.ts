// One checkbox row for every list of choices: the box first, the label beside it, and the whole
// row (at least 44 px high) the thing to tap. Lists of these wrap in `.choices`.
import { html } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';

export interface ChoiceOptions {
  label: unknown;
  checked?: boolean;
  /** For forms read with FormData. */
  name?: string;
  value?: string;
  testid?: string;
  onChange?: (checked: boolean) => void;
}

export function choice(o: ChoiceOptions) {
  return html`<label class="choice"><input type="checkbox" name=${ifDefined(o.name)} value=${ifDefined(o.value)}
      data-testid=${ifDefined(o.testid)} .checked=${!!o.checked}
      @change=${(e: Event) => o.onChange?.((e.target as HTMLInputElement).checked)}><span>${o.label}</span></label>`;
}
