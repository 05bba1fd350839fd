import { describe, expect, it } from 'vitest';
import type { CaseListItem } from '../src/model/types';
import { BOX, fit, mapModel, tilesFor } from '../src/ui/map-model';

const kase = (doc: string, village: string, severity: string, status = 'reported', location: CaseListItem['location'] = null) => ({
  doc, village, severity, status, location, title: doc, category: 'land', case_no: null, reporter: 'u', reported_at: 0, deadline: null,
  responsible_leader: null, handler: null, has_conflicts: false, timeline_count: 0, delivery: 'sent', rejection: null,
}) as CaseListItem;

const villages = [
  { code: 'A', name: '埔头村', latitude: 25.905, longitude: 117.262 },
  { code: 'B', name: '曹远村', latitude: 25.931, longitude: 117.301 },
  { code: 'C', name: '无坐标村' },
];

describe('the map of a township', () => {
  it('sizes each placed village by its open cases and colours it by the worst', () => {
    const m = mapModel(villages, [kase('1', 'A', 'general'), kase('2', 'A', 'urgent'), kase('3', 'A', 'major', 'closed'), kase('4', 'B', 'major')])!;
    const a = m.places.find((p) => p.code === 'A')!;
    const b = m.places.find((p) => p.code === 'B')!;
    expect(a.open.map((c) => c.doc)).toEqual(['1', '2']);
    expect(a.worst).toBe('urgent');
    expect(b.worst).toBe('major');
    expect(a.r).toBeGreaterThan(b.r);
    expect(m.unplaced).toBe(1);
  });

  it('fits every place inside the box, north up', () => {
    const m = mapModel(villages, [kase('9', 'A', 'urgent', 'reported', { lat: 25.95, lon: 117.25, accuracy_m: 10 })])!;
    for (const p of [...m.places, ...m.casePoints]) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(BOX);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(BOX);
    }
    const [a, b] = m.places;
    expect(b.y).toBeLessThan(a.y); // 曹远村 lies north of 埔头村
    expect(m.casePoints).toHaveLength(1);
  });

  it('draws nothing when no village has coordinates and no case has GPS', () => {
    expect(mapModel([{ code: 'C', name: '无坐标村' }], [kase('1', 'C', 'urgent')])).toBeNull();
  });

  it('covers the box with tiles from the template at a fitting zoom', () => {
    const p = fit([{ lat: 25.905, lon: 117.262 }, { lat: 25.931, lon: 117.301 }]);
    const tiles = tilesFor(p, '/tiles/{z}/{x}/{y}.png');
    expect(tiles.length).toBeGreaterThan(0);
    expect(tiles[0].href).toMatch(/^\/tiles\/1[0-4]\/\d+\/\d+\.png$/);
    expect(Math.min(...tiles.map((t) => t.x))).toBeLessThanOrEqual(0);
    expect(Math.max(...tiles.map((t) => t.x + t.size))).toBeGreaterThanOrEqual(BOX);
  });
});
