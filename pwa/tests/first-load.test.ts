import { describe, expect, it } from 'vitest';
import { fromServer, shownCases } from '../src/first-load';

const entry = (id: string) => ({ id, kind: 'note' as const, at: 1, by: 'u_demo_officer', text: '备注' });

// A whole projection as the server describes it (docs/openapi.json `CaseView`).
const server = (doc: string, title = doc) => fromServer({
  doc, schema_version: 1, case_no: `C-${doc}`, village: '350481101201', category: 'land', severity: 'major', status: 'reported', title,
  description: '', parties: [], reporter: 'u_demo_officer', reported_at: 1_700_000_000_000, deadline: null,
  responsible_leader: null, handler: null, attachments: [], clock_corrections: [], over_limits: [],
  conflicts: [{ field: 'title', values: ['甲', '乙'] }], timeline: [entry('t1'), entry('t2')],
  transitions: [{ from: 'reported', to: 'acknowledged', by: 'u_demo_leader', at: 1, outcome: null, note: null }],
  location: { lat: 25.9, lon: 117.3, accuracy_m: null },
  outcome: null, closing_note: null, resolution_plan: '', needs_confirmation: false, agreements: [],
});

describe('the first load', () => {
  it('reads the server projection as a list item delivered to the server', () => {
    const c = server('a');
    expect(c).toMatchObject({ doc: 'a', case_no: 'C-a', delivery: 'sent', rejection: null, has_conflicts: true, timeline_count: 2 });
    expect(c.location).toEqual({ lat: 25.9, lon: 117.3, accuracy_m: null });
  });

  it('shows the server list until the first sync, the phone copy winning, then only the phone', () => {
    const local = [{ ...server('a', 'phone copy'), delivery: 'local' as const }];
    const both = shownCases(local, [server('a', 'server copy'), server('b')], false);
    expect(both.map((c) => [c.doc, c.title])).toEqual([['a', 'phone copy'], ['b', 'b']]);
    expect(shownCases(local, [server('b')], true).map((c) => c.doc)).toEqual(['a']);
    expect(shownCases(local, null, false)).toBe(local);
  });
});
