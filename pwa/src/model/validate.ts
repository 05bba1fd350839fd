// Pure form checks (no Automerge import, so the page bundle stays small).
import type { NewCaseInput } from './types';

/** Form checks mirroring the server's schema, so a record is never refused for a typo. */
export function validateInput(input: NewCaseInput): string[] {
  const errs: string[] = [];
  if (!input.title.trim()) errs.push('new_need_title');
  if ([...input.title.trim()].length > 100) errs.push('new_title_too_long');
  if ([...input.description].length > 5000) errs.push('new_description_too_long');
  for (const p of input.parties) {
    if (!p.name.trim()) errs.push('new_party_name_needed');
    if (p.phone && p.phone.trim() && !/^[0-9+\- ]{1,20}$/.test(p.phone.trim())) errs.push('new_party_phone_invalid');
  }
  return [...new Set(errs)];
}
