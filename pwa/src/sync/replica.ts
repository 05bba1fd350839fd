// Which replica a phone keeps (PROTOCOL.md §12). A county or a city is tens of thousands of
// cases: such a phone keeps its working set and fetches the rest when opened. A township or a
// village fits on a phone whole, and keeps it whole as it always has.
import type { Session } from '../db/schema';
import type { Replica } from './protocol';

/** Units this many levels deep or shallower (city, county) are wide. */
const WIDE_DEPTH = 2;

export function replicaFor(session: Pick<Session, 'unit'>): Replica {
  const path = session.unit.path;
  const depth = typeof path === 'string'
    ? path.split('/').filter((s) => s.length > 0).length
    : Array.isArray(path) ? path.length : Infinity;
  return depth <= WIDE_DEPTH ? 'partial' : 'full';
}
