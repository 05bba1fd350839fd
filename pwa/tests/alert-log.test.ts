import { describe, expect, it } from 'vitest';
import { shownReason } from '../src/ui/alert-log';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';

describe('the delivery log', () => {
  it("shows the provider's reason for an SMS that did not reach the phone, not a stale retry error", () => {
    expect(shownReason({ state: 'undelivered', last_error: 'MK:0001: 空号' })).toBe('MK:0001: 空号');
    expect(shownReason({ state: 'failed', last_error: 'isv.MOBILE_NUMBER_ILLEGAL: 非法手机号' })).toContain('非法');
    expect(shownReason({ state: 'delivered', last_error: 'gateway: 429 Too Many Requests' })).toBeNull();
    expect(shownReason({ state: 'sent', last_error: 'gateway: 429 Too Many Requests' })).toBeNull();
    expect(shownReason({ state: 'undelivered', last_error: null })).toBeNull();
  });

  it('names the receipt states in both languages', () => {
    expect(zhCN.alert_state_delivered).toBe('已送达手机');
    expect(zhCN.alert_state_undelivered).toBe('未送达手机');
    expect(en.alert_state_delivered).toBeTruthy();
    expect(en.alert_state_undelivered).toBeTruthy();
  });
});
