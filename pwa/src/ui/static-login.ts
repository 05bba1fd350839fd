// index.html carries the sign-in form as plain HTML so that on a first visit over a slow link it
// can be filled in before the app's code has arrived. When the code runs, its own form
// (ui/login.ts) replaces that one: what was typed and where the caret was carry over, so the
// swap is invisible to someone in the middle of typing.
import type { LoginState } from './login';

interface Caret { name: string; start: number | null; end: number | null }

/** Copy what was typed into index.html's form into `st`, and return how to put the caret back
 *  once the app's form is drawn (null when the page had no such form, e.g. shell.html). */
export function adoptStaticLogin(root: HTMLElement, st: LoginState): (() => void) | null {
  const form = root.querySelector<HTMLFormElement>('main[data-static] form');
  if (!form) return null;
  for (const key of ['phone', 'password'] as const) {
    const typed = form.querySelector<HTMLInputElement>(`input[name=${key}]`)?.value ?? '';
    if (typed && !st[key]) st[key] = typed;
  }
  const active = document.activeElement;
  const caret: Caret | null = active instanceof HTMLInputElement && form.contains(active)
    ? { name: active.name, start: active.selectionStart, end: active.selectionEnd }
    : null;
  return () => {
    if (!caret) return;
    const input = root.querySelector<HTMLInputElement>(`form input[name=${caret.name}]`);
    if (!input) return;
    input.focus();
    if (caret.start !== null) input.setSelectionRange(caret.start, caret.end ?? caret.start);
  };
}
