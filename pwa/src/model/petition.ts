// Petition items (信访事项) with the exact Automerge types sync-protocol/src/petition/ reads:
// scalars are ImmutableString, the request is Text, dates are Timestamps (Date). Every step is
// checked by the shared clock rules (src/rules/petition.ts) before it is written, so the phone
// refuses offline what the server would refuse later, with the same reason.
import * as A from '@automerge/automerge/slim';
import type { Author } from './case';
import type { RecordModel } from './kinds';
import { PETITION_KIND } from './record-kinds';
import { apply, deadline, stage } from '../rules/petition';

export {
  SOURCES, clockOfSteps, eventOf, type DateCorrection, type NewPetitionInput, type PetitionEdit, type PetitionSummary, type PetitionView,
  type Source, type Steps, type Which,
} from './petition-steps';
import { clockOfSteps, eventOf, type DateCorrection, type NewPetitionInput, type PetitionEdit, type PetitionSummary, type PetitionView, type Source, type Steps } from './petition-steps';

type IS = A.ImmutableString;
interface ReviewDoc { requested_at: Date; answered_at?: Date; answer?: IS }
/** Written only by the server (PROTOCOL.md §11): a date it corrected for a wrong clock. */
interface CorrectionDoc { field: IS; claimed: Date; corrected: Date; confirmed?: Date; confirmed_by?: IS }
export interface PetitionDoc {
  schema_version: number;
  kind: IS;
  village: IS;
  source: IS;
  petitioner: { name: IS; phone?: IS; id_no?: IS };
  request: string;
  received_at: Date;
  recorded_by: IS;
  decision: { accepted: boolean; at: Date; note?: IS } | null;
  extension: { at: Date; days: number; reason: IS } | null;
  reply: { at: Date; text: IS } | null;
  review: ReviewDoc | null;
  rereview: ReviewDoc | null;
  cases: IS[];
  clock_corrections?: CorrectionDoc[];
}


const im = (s: string) => new A.ImmutableString(s);
const str = (v: unknown) => (v instanceof A.ImmutableString ? v.val : v == null ? '' : String(v));
const ms = (d: Date | undefined | null) => (d instanceof Date ? d.getTime() : null);


function stepsOf(d: PetitionDoc): Steps {
  const review = (r: ReviewDoc | null) =>
    r ? { requested_at: r.requested_at.getTime(), answered_at: ms(r.answered_at), answer: r.answer ? str(r.answer) : null } : null;
  return {
    received_at: d.received_at.getTime(),
    decision: d.decision ? { accepted: d.decision.accepted, at: d.decision.at.getTime(), note: d.decision.note ? str(d.decision.note) : null } : null,
    extension: d.extension ? { at: d.extension.at.getTime(), days: d.extension.days, reason: str(d.extension.reason) } : null,
    reply: d.reply ? { at: d.reply.at.getTime(), text: str(d.reply.text) } : null,
    review: review(d.review), rereview: review(d.rereview),
  };
}


const clockOf = (d: PetitionDoc) => clockOfSteps(stepsOf(d));


export function newPetition(actor: string, author: Author, input: NewPetitionInput, now: Date): A.Doc<PetitionDoc> {
  if (!input.name.trim()) throw new Error('petitioner.name: must not be empty');
  if (!input.request.trim()) throw new Error('request: must not be empty');
  if (input.received_at > now.getTime() + 86_400_000) throw new Error('received_at: in the future');
  return A.change(A.init<PetitionDoc>({ actor }), { time: Math.floor(now.getTime() / 1000) }, (d) => {
    d.schema_version = 1;
    d.kind = im(PETITION_KIND);
    d.village = im(input.village);
    d.source = im(input.source);
    d.petitioner = { name: im(input.name.trim()) };
    if (input.phone) d.petitioner.phone = im(input.phone.trim());
    if (input.id_no) d.petitioner.id_no = im(input.id_no.trim().toUpperCase());
    d.request = input.request;
    d.received_at = new Date(input.received_at);
    d.recorded_by = im(author.user);
    d.decision = null;
    d.extension = null;
    d.reply = null;
    d.review = null;
    d.rereview = null;
    d.cases = [];
  });
}

/** Apply one edit; throws a ClockError (with its code) when the statutory rules refuse the step. */
export function editPetition(doc: A.Doc<PetitionDoc>, e: PetitionEdit, now: Date): A.Doc<PetitionDoc> {
  const ev = eventOf(e);
  if (ev) {
    if (ev.at > now.getTime() + 86_400_000) throw new Error('a step cannot be dated in the future');
    apply(clockOf(doc), ev);
  }
  return A.change(doc, { time: Math.floor(now.getTime() / 1000) }, (d) => {
    switch (e.op) {
      case 'decide':
        d.decision = { accepted: e.accepted, at: new Date(e.at) };
        if (e.note) d.decision.note = im(e.note);
        break;
      case 'extend': d.extension = { at: new Date(e.at), days: e.days, reason: im(e.reason) }; break;
      case 'reply': d.reply = { at: new Date(e.at), text: im(e.text) }; break;
      case 'request_review': d[e.which] = { requested_at: new Date(e.at) }; break;
      case 'answer_review': {
        const r = d[e.which];
        if (!r) throw new Error(`${e.which}: not requested`);
        r.answered_at = new Date(e.at);
        r.answer = im(e.answer);
        break;
      }
      case 'link_case': d.cases.push(im(e.case)); break;
    }
  });
}

function correctionsOf(d: PetitionDoc): DateCorrection[] {
  return (d.clock_corrections ?? []).map((c) => ({
    field: str(c.field), claimed: ms(c.claimed) ?? 0, corrected: ms(c.corrected) ?? 0,
    confirmed: ms(c.confirmed), confirmed_by: c.confirmed_by ? str(c.confirmed_by) : null,
  }));
}

export function summarizePetition(d: A.Doc<PetitionDoc>): PetitionSummary {
  if (d.kind == null || !(d.received_at instanceof Date) || d.petitioner == null) throw new Error('not a whole petition');
  const clock = clockOf(d);
  return {
    village: str(d.village), source: str(d.source) as Source, name: str(d.petitioner.name),
    received_at: d.received_at.getTime(), stage: stage(clock), deadline: deadline(clock),
    request: String(d.request ?? '').slice(0, 80),
    pending_dates: correctionsOf(d).filter((c) => c.confirmed === null).length,
  };
}

export function viewPetition(id: string, d: A.Doc<PetitionDoc>): PetitionView {
  return {
    ...summarizePetition(d), ...stepsOf(d), doc: id, request: String(d.request ?? ''),
    phone: d.petitioner.phone ? str(d.petitioner.phone) : null, id_no: d.petitioner.id_no ? str(d.petitioner.id_no) : null,
    recorded_by: str(d.recorded_by), cases: (d.cases ?? []).map(str), clock_corrections: correctionsOf(d),
  };
}

export const petitionModel: RecordModel<typeof PETITION_KIND> = {
  kind: PETITION_KIND,
  create: (actor, author, input, now) => ({ id: null, doc: newPetition(actor, author, input, now) }),
  applyEdit: (doc, _author, e, now) => editPetition(doc as A.Doc<PetitionDoc>, e, now),
  summarize: (doc) => summarizePetition(doc as A.Doc<PetitionDoc>),
  view: (id, doc) => viewPetition(id, doc as A.Doc<PetitionDoc>),
};
