import { html } from 'lit-html';
import { t } from '../i18n';
import type { CaseListItem } from '../model/types';
import { catLabel, fmtTime, isOverdue, sevLabel, stLabel } from './format';
import { icon } from './icons';
import { villageName } from './records-common';
import type { Ctx } from './ctx';

export function deliveryBadge(d: CaseListItem['delivery']) {
  const label = d === 'sent' ? t('detail_badge_sent') : d === 'rejected' ? t('detail_badge_rejected') : t('detail_badge_local');
  return html`<span class="badge delivery ${d}" data-testid="delivery">${label}</span>`;
}

export function caseCard(ctx: Ctx, c: CaseListItem, extra: unknown = '') {
  return html`
    <li class="card sev-${c.severity}" data-testid="case-card" data-doc=${c.doc}>
      <a href="#/case/${c.doc}" class="card-link">
        <div class="card-top">
          <span class="badge sev ${c.severity}">${sevLabel(c.severity)}</span>
          <span class="badge st">${stLabel(c.status)}</span>
          ${isOverdue(c) ? html`<span class="badge overdue">${t('leader_overdue')}</span>` : ''}
          ${c.has_conflicts ? html`<span class="badge conflict" role="img" aria-label=${t('detail_conflict_badge')}>${icon('warn', 14)}</span>` : ''}
        </div>
        <div class="card-title">${c.title || '—'}</div>
        <div class="card-meta">
          <span data-testid="card-village">${villageName(ctx, c.village)}</span>
          <span>${catLabel(c.category)}</span>
          <span>${c.case_no ?? ''}</span>
          <span>${fmtTime(c.reported_at)}</span>
        </div>
      </a>
      <div class="card-foot">${deliveryBadge(c.delivery)} ${extra}</div>
    </li>`;
}
