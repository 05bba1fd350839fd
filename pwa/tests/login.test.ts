import { describe, expect, it } from 'vitest';
import { HttpError } from '../src/api/http';
import { loginErrorText } from '../src/ui/login';
import { zhCN } from '../src/i18n/zh-CN';

describe('sign-in errors', () => {
  it('never say whether it was the phone number or the password that was wrong', () => {
    const refused = new HttpError(401, 'bad_credentials', 'wrong phone number, code or password');
    expect(loginErrorText(refused, 'password')).toBe(zhCN.login_bad_password);
    expect(loginErrorText(refused, 'enrol')).toBe(zhCN.login_bad_code);
  });

  it('turn a lockout into minutes to wait, from Retry-After', () => {
    const locked = new HttpError(429, 'too_many_attempts', 'too many', 600);
    expect(loginErrorText(locked, 'password', locked.retryAfter)).toBe(zhCN.login_locked.replace('{m}', '10'));
    expect(loginErrorText(locked, 'password', 30)).toBe(zhCN.login_locked.replace('{m}', '1'));
  });

  it('pass the server\'s reason through for a malformed request such as a short password', () => {
    const short = new HttpError(400, 'bad_request', 'the password must be 8–128 characters');
    expect(loginErrorText(short, 'enrol')).toContain('8–128');
  });
});
