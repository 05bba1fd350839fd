// What the map (一张图) shows, computed without the DOM: each village of the scope with its open
// cases and their worst severity, cases with GPS as points, all projected (Web Mercator, so an
// optional raster tile layer lines up) into a square drawing box.
import { OPEN_STATUSES, type CaseListItem, type Status } from '../model/types';
import { sevRank } from './format';
import type { Village } from '../api/types';

export const BOX = 360;
const PAD = 36;

export interface Projection { x: (lon: number) => number; y: (lat: number) => number; scale: number; x0: number; y0: number }
export interface VillagePlace { code: string; name: string; x: number; y: number; r: number; open: CaseListItem[]; worst: string | null }
export interface CasePoint { c: CaseListItem; x: number; y: number }

/** World coordinates in [0, 1) (Web Mercator), as slippy-map tiles count them. */
export const mercX = (lon: number) => (lon + 180) / 360;
export const mercY = (lat: number) => {
  const s = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
};

/** Fit the points into the box, the same scale both ways. */
export function fit(points: { lat: number; lon: number }[]): Projection {
  const xs = points.map((p) => mercX(p.lon));
  const ys = points.map((p) => mercY(p.lat));
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // One village alone, or all in one spot: about 10 km across.
  const span = Math.max(maxX - minX, maxY - minY, 0.00003);
  const scale = (BOX - 2 * PAD) / span;
  const x0 = (minX + maxX) / 2 - (BOX / 2) / scale;
  const y0 = (minY + maxY) / 2 - (BOX / 2) / scale;
  return { scale, x0, y0, x: (lon) => (mercX(lon) - x0) * scale, y: (lat) => (mercY(lat) - y0) * scale };
}

const isOpen = (c: CaseListItem) => OPEN_STATUSES.includes(c.status as Status);

/** Villages with coordinates (others cannot be drawn) and cases with GPS, open cases only. */
export function mapModel(villages: Village[], cases: CaseListItem[]) {
  const placed = villages.filter((v) => typeof v.latitude === 'number' && typeof v.longitude === 'number');
  const points = cases.filter((c) => isOpen(c) && c.location);
  const all = [...placed.map((v) => ({ lat: v.latitude!, lon: v.longitude! })), ...points.map((c) => ({ lat: c.location!.lat, lon: c.location!.lon }))];
  if (all.length === 0) return null;
  const proj = fit(all);
  const places: VillagePlace[] = placed.map((v) => {
    const open = cases.filter((c) => c.village === v.code && isOpen(c));
    const worst = open.length ? [...open].sort((a, b) => sevRank(a.severity) - sevRank(b.severity))[0].severity : null;
    return { code: v.code, name: v.name, x: proj.x(v.longitude!), y: proj.y(v.latitude!), r: 9 + 5 * Math.sqrt(open.length), open, worst };
  });
  const casePoints: CasePoint[] = points.map((c) => ({ c, x: proj.x(c.location!.lon), y: proj.y(c.location!.lat) }));
  const unplaced = villages.length - placed.length;
  return { proj, places, casePoints, unplaced };
}

/** The raster tiles (a `{z}/{x}/{y}` template) covering the box at a zoom that fits it. */
export function tilesFor(p: Projection, template: string) {
  const z = Math.max(0, Math.min(18, Math.round(Math.log2((p.scale / 256)))));
  const n = 2 ** z;
  const px = p.scale / n; // box units per tile
  const first = (v0: number) => Math.floor(v0 * n);
  const out: { href: string; x: number; y: number; size: number }[] = [];
  for (let ty = first(p.y0); ty < first(p.y0 + BOX / p.scale) + 1; ty++) {
    for (let tx = first(p.x0); tx < first(p.x0 + BOX / p.scale) + 1; tx++) {
      if (ty < 0 || ty >= n) continue;
      const href = template.replace('{z}', String(z)).replace('{x}', String(((tx % n) + n) % n)).replace('{y}', String(ty));
      out.push({ href, x: (tx / n - p.x0) * p.scale, y: (ty / n - p.y0) * p.scale, size: px });
    }
  }
  return out;
}
