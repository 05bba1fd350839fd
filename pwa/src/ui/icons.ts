// Inline SVG icons: emoji depend on a colour-emoji font many phones lack. Each is decorative
// (aria-hidden); the text beside it, or the control's label, says what it is.
import { svg, html } from 'lit-html';

const PATHS = {
  chart: svg`<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>`,
  mail: svg`<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>`,
  walk: svg`<circle cx="13" cy="4" r="2"/><path d="m9 21 3-7 3 3v4M7 12l3-4h4l2 4M12 14l-2-6"/>`,
  map: svg`<path d="M9 4 3 6v14l6-2 6 2 6-2V4l-6 2-6-2zM9 4v14M15 6v14"/>`,
  camera: svg`<path d="M4 7h4l2-3h4l2 3h4v12H4z"/><circle cx="12" cy="13" r="3.5"/>`,
  gear: svg`<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9 7 7M17 17l2.1 2.1M4.9 19.1 7 17M17 7l2.1-2.1"/>`,
  back: svg`<path d="m15 5-7 7 7 7"/>`,
  warn: svg`<path d="M12 3 2 20h20L12 3zM12 10v4M12 17v.5"/>`,
} as const;
export type IconName = keyof typeof PATHS;

export function icon(name: IconName, size = 20) {
  return html`<svg class="icon" width=${size} height=${size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
    stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${PATHS[name]}</svg>`;
}
