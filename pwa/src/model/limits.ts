// Product limits of a case (sync-protocol/PROTOCOL.md §8, "Limits"). Two edits each within a
// limit can exceed it together once merged; the server accepts that and lists the field in the
// case's `over_limits`. The app reads the same off its own copy, so both sides see the field as
// to be shortened, online or not.

export interface OverLimit { field: string; count: number; limit: number }

export const PRODUCT_LIMITS: Record<string, number> = {
  description: 5000, resolution_plan: 5000, parties: 50, timeline: 2000, attachments: 50, transitions: 500,
};

/** Text limits count characters (code points, as the server does); list limits count items. */
export const TEXT_FIELDS = ['description', 'resolution_plan'];

interface Sized {
  description: string; resolution_plan: string;
  parties: unknown[]; timeline: unknown[]; attachments: unknown[]; transitions: unknown[];
}

export function overLimits(c: Sized): OverLimit[] {
  const counts: Record<string, number> = {
    description: [...c.description].length, resolution_plan: [...c.resolution_plan].length,
    parties: c.parties.length, timeline: c.timeline.length, attachments: c.attachments.length,
    transitions: c.transitions.length,
  };
  return Object.entries(PRODUCT_LIMITS)
    .filter(([field, limit]) => counts[field] > limit)
    .map(([field, limit]) => ({ field, count: counts[field], limit }));
}
