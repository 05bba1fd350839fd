import { html } from 'lit-html';
import { t } from '../i18n';
import { OPEN_STATUSES, type Status } from '../model/types';
import { caseCard } from './case-card';
import type { Ctx } from './ctx';
import { byUrgencyThenNewest } from './format';
import { officerSweeps } from './sweep';
import { syncBar } from './syncbar';
import { icon } from './icons';
import { villagesOf } from './records-common';

export function officerHome(ctx: Ctx) {
  villagesOf(ctx);
  const mine = ctx.cases.filter((c) => c.village === ctx.session.unit.code || c.reporter === ctx.session.user.id);
  const open = mine.filter((c) => OPEN_STATUSES.includes(c.status as Status)).sort(byUrgencyThenNewest);
  const closed = mine.length - open.length;
  return html`
    ${header(ctx)}
    ${syncBar(ctx)}
    <main class="home">
      <button class="record" data-testid="record" @click=${() => ctx.go('/new')}>
        <span class="plus">＋</span>${t('home_record')}
      </button>
      ${officerSweeps(ctx)}
      <h2>${t('home_my_cases')} <small>${ctx.session.unit.name}</small></h2>
      ${open.length === 0
        ? html`<p class="empty">${t('home_no_cases')}</p>`
        : html`<ul class="cards">${open.map((c) => caseCard(ctx, c))}</ul>`}
      ${closed ? html`<p class="muted">${t('home_closed_count', { n: closed })}</p>` : ''}
    </main>`;
}

export function header(_ctx: Ctx, title?: string, back?: string) {
  return html`
    <header class="top">
      ${back
        ? html`<a class="back" href="#${back}" data-testid="back">${icon('back')}<span>${t('detail_back')}</span></a>`
        : html`<span class="logo small" aria-hidden="true">澜</span>`}
      <h1>${title ?? t('app_name')}</h1>
      <a class="gear" href="#/settings" aria-label=${t('home_settings')} title=${t('home_settings')} data-testid="settings-link">${icon('gear', 24)}</a>
    </header>`;
}
