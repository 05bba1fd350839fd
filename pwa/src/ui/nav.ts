// The leader's sections as one compact row of icon buttons, so the cases start on the first screen.
import { html } from 'lit-html';
import { t } from '../i18n';
import { icon, type IconName } from './icons';

export function leaderNav(mayStat: boolean) {
  const item = (href: string, testid: string, name: IconName, label: string) =>
    html`<a class="nav-item" href=${href} data-testid=${testid}>${icon(name)}<span>${label}</span></a>`;
  return html`<nav class="leader-nav" aria-label=${t('nav_label')}>
    ${mayStat ? item('#/stats', 'stats-link', 'chart', t('nav_stats')) : ''}
    ${mayStat ? item('#/map', 'map-link', 'map', t('nav_map')) : ''}
    ${item('#/petitions', 'petitions-link', 'mail', t('nav_petitions'))}
    ${item('#/visits', 'visits-link', 'walk', t('nav_visits'))}
  </nav>`;
}
