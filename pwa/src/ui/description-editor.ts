// Editing the description, a collaborative Text. Each pause in typing sends one splice made
// against the text the person was looking at (its heads), so concurrent edits by others land
// where they belong instead of being overwritten. When others' text arrives during editing it
// is merged into the textarea, keeping the person's own unsent typing and caret.
import { textSplice } from '../model/case-text';
import type { WorkerClient } from '../worker/client';

export interface DescEditor {
  editing: boolean;
  draft: string;
  /** The document's description at `heads`: what `draft` was last reconciled with. */
  base: { heads: string[]; text: string } | null;
  timer: ReturnType<typeof setTimeout> | null;
  chain: Promise<void>;
}

export function freshEditor(): DescEditor {
  return { editing: false, draft: '', base: null, timer: null, chain: Promise.resolve() };
}

export function startEditing(ed: DescEditor, heads: string[], text: string): void {
  ed.editing = true;
  ed.draft = text;
  ed.base = { heads, text };
}

export function typed(ed: DescEditor, value: string, save: () => void, delayMs = 600): void {
  ed.draft = value;
  if (ed.timer) clearTimeout(ed.timer);
  ed.timer = setTimeout(save, delayMs);
}

/** Send what changed since the base; saves run one after another, never overlapping. */
export function flush(ed: DescEditor, worker: WorkerClient, doc: string, textarea: () => HTMLTextAreaElement | null): Promise<void> {
  if (ed.timer) clearTimeout(ed.timer);
  ed.timer = null;
  ed.chain = ed.chain.then(async () => {
    const base = ed.base;
    if (!base) return;
    const sent = ed.draft;
    const sp = textSplice(base.text, sent);
    if (sp) await worker.call('edit', { doc, edit: { op: 'splice_description', base: base.heads, ...sp } });
    const v = await worker.call('view', { doc });
    if (!v) return;
    ed.base = { heads: v.heads, text: v.description };
    if (v.description === sent) return;
    // Others' text was merged in: rebase whatever was typed since `sent` onto it.
    const merged = rebase(sent, v.description, ed.draft);
    const el = textarea();
    const caret = el?.selectionStart ?? merged.text.length;
    ed.draft = merged.text;
    if (merged.text !== v.description) typedLater(ed, worker, doc, textarea);
    if (el && ed.editing) {
      el.value = merged.text;
      const at = caret > merged.remoteAt ? caret + merged.shift : caret;
      el.setSelectionRange(at, at);
    }
  }).catch(() => { /* the next pause retries from the same base */ });
  return ed.chain;
}

function typedLater(ed: DescEditor, worker: WorkerClient, doc: string, textarea: () => HTMLTextAreaElement | null): void {
  if (ed.timer) clearTimeout(ed.timer);
  ed.timer = setTimeout(() => void flush(ed, worker, doc, textarea), 600);
}

/**
 * `sent` was saved; the document now reads `merged` (others' edit included); the person's
 * textarea reads `current` (maybe typed more since). Returns the textarea's new text.
 */
export function rebase(sent: string, merged: string, current: string): { text: string; remoteAt: number; shift: number } {
  const remote = textSplice(sent, merged)!;
  const shift = remote.insert.length - remote.del;
  const mine = textSplice(sent, current);
  if (!mine) return { text: merged, remoteAt: remote.index, shift };
  const at = mine.index >= remote.index + remote.del ? mine.index + shift : Math.min(mine.index, merged.length);
  const text = merged.slice(0, at) + mine.insert + merged.slice(Math.min(merged.length, at + mine.del));
  return { text, remoteAt: remote.index, shift };
}
