// 一张图: the leader's scope as a map drawn on the phone from unit coordinates and case GPS —
// no tile server needed, so it works offline. Villages are sized by open cases and coloured by
// the worst of them; urgent ones ring red. Tapping a village or a point lists its cases. An
// optional raster tile layer (same-origin `{z}/{x}/{y}` URL, e.g. an intranet map server behind
// the same host, as the page's CSP allows) lies underneath when set and online; off by default.
import { html, svg } from 'lit-html';
import { t } from '../i18n';
import { caseCard } from './case-card';
import { isOnline, type Ctx } from './ctx';
import { byUrgencyThenNewest, sevLabel } from './format';
import { BOX, mapModel, tilesFor, type VillagePlace } from './map-model';
import { header } from './officer-home';
import { villagesOf } from './records-common';
import { syncBar } from './syncbar';

const TILE_KEY = 'anlan.map.tiles';

const COLOUR: Record<string, string> = { urgent: '#c62828', major: '#a85300', general: '#2e7d32' };
const colourOf = (sev: string | null) => (sev ? COLOUR[sev] ?? '#66717d' : '#8a949e');

export function mapView(ctx: Ctx) {
  // What is picked stays while the person opens a case and comes back.
  const ui = ctx.screens.keep('map', () => ({ picked: '', tiles: localStorage.getItem(TILE_KEY) ?? '' }));
  const villages = villagesOf(ctx) ?? [];
  const m = mapModel(villages, ctx.cases);
  const pick = (key: string) => { ui.picked = ui.picked === key ? '' : key; ctx.rerender(); };
  const keyed = (key: string) => (e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(key); } };
  const place = (v: VillagePlace) => {
    const urgent = v.open.filter((c) => c.severity === 'urgent').length;
    const label = t('map_village_label', { name: v.name, n: v.open.length }) + (urgent ? t('map_urgent_suffix', { n: urgent }) : '');
    return svg`<g class="place ${v.worst ?? 'none'} ${ui.picked === `v:${v.code}` ? 'picked' : ''}" data-testid="map-village" data-village=${v.code}
        data-open=${v.open.length} data-worst=${v.worst ?? ''} role="button" tabindex="0" aria-label=${label}
        @click=${() => pick(`v:${v.code}`)} @keydown=${keyed(`v:${v.code}`)}>
      <circle cx=${v.x} cy=${v.y} r=${Math.max(22, v.r)} fill="transparent"></circle>
      ${urgent ? svg`<circle class="urgent-ring" cx=${v.x} cy=${v.y} r=${v.r + 6} fill="none" stroke="#c62828" stroke-width="3"></circle>` : ''}
      <circle cx=${v.x} cy=${v.y} r=${v.r} fill=${colourOf(v.worst)} fill-opacity="0.85" stroke="#fff" stroke-width="2"></circle>
    </g>`;
  };
  // Drawn text sits in its own layer: the buttons are named by their labels, which say more.
  const caption = (v: VillagePlace) => svg`<text x=${v.x} y=${v.y + 5} text-anchor="middle" class="count">${v.open.length}</text>
    <text x=${v.x} y=${v.y + v.r + 16} text-anchor="middle" class="name">${v.name}</text>`;
  const point = (p: { c: (typeof ctx.cases)[number]; x: number; y: number }) => svg`<g class="point" data-testid="map-case" data-doc=${p.c.doc}
      role="button" tabindex="0" aria-label=${`${sevLabel(p.c.severity)} · ${p.c.title}`}
      @click=${() => pick(`c:${p.c.doc}`)} @keydown=${keyed(`c:${p.c.doc}`)}>
    <circle cx=${p.x} cy=${p.y} r="22" fill="transparent"></circle>
    <rect x=${p.x - 6} y=${p.y - 6} width="12" height="12" transform="rotate(45 ${p.x} ${p.y})" fill=${colourOf(p.c.severity)} stroke="#fff" stroke-width="1.5"></rect>
  </g>`;
  const picked = ui.picked.startsWith('v:')
    ? m?.places.find((v) => `v:${v.code}` === ui.picked)
    : null;
  const list = picked ? [...picked.open].sort(byUrgencyThenNewest)
    : ui.picked.startsWith('c:') ? ctx.cases.filter((c) => `c:${c.doc}` === ui.picked) : [];
  const tiles = m && ui.tiles && isOnline(ctx) ? tilesFor(m.proj, ui.tiles) : [];
  return html`
    ${header(ctx, t('map_title'), '/')}
    ${syncBar(ctx)}
    <main class="map">
      ${!m ? html`<p class="empty" data-testid="map-empty">${t('map_no_places')}</p>` : html`
        <figure class="map-figure">
          <svg viewBox="0 0 ${BOX} ${BOX}" class="map-svg" data-testid="map" role="group" aria-label=${t('map_title')}>
            <rect width=${BOX} height=${BOX} fill="#eef3f6"></rect>
            ${tiles.map((tl) => svg`<image href=${tl.href} x=${tl.x} y=${tl.y} width=${tl.size} height=${tl.size} data-testid="map-tile"></image>`)}
            ${m.casePoints.map(point)}
            ${m.places.map(place)}
            <g aria-hidden="true">${m.places.map(caption)}</g>
          </svg>
          <figcaption class="map-legend">
            ${(['urgent', 'major', 'general'] as const).map((s) => html`<span><i class="dot" data-sev=${s}></i>${sevLabel(s)}</span>`)}
            <span><i class="dot" data-sev="none"></i>${t('map_none_open')}</span>
            <span class="muted">${t('map_legend_size')}</span>
          </figcaption>
        </figure>
        ${m.unplaced ? html`<p class="muted">${t('map_unplaced', { n: m.unplaced })}</p>` : ''}`}
      ${picked || list.length ? html`<section data-testid="map-list">
        <h2>${picked ? t('map_open_in', { name: picked.name, n: picked.open.length }) : t('map_case_here')}</h2>
        ${list.length ? html`<ul class="cards">${list.map((c) => caseCard(ctx, c))}</ul>` : html`<p class="empty">${t('map_village_quiet')}</p>`}
      </section>` : html`<p class="hint">${t('map_tap_hint')}</p>`}
      <details class="map-tiles">
        <summary>${t('map_tiles')}</summary>
        <label>${t('map_tiles_url')}<input data-testid="map-tiles-url" placeholder="/tiles/{z}/{x}/{y}.png" .value=${ui.tiles}
          @change=${(e: Event) => { ui.tiles = (e.target as HTMLInputElement).value.trim(); localStorage.setItem(TILE_KEY, ui.tiles); ctx.rerender(); }}></label>
        <p class="hint">${t('map_tiles_hint')}</p>
      </details>
    </main>`;
}
