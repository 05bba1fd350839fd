import { html } from 'lit-html';
import { Api } from '../api';
import { deviceName } from './device-name';
import { t } from '../i18n';
import { HttpError } from '../api/http';

/** `enrol`: first time on any phone (phone + one-time code → set a password).
 *  `password`: another phone later. `token`: a device token from an administrator (demo links). */
export type LoginMode = 'password' | 'enrol' | 'token';

export interface LoginState {
  mode: LoginMode;
  phone: string;
  code: string;
  password: string;
  password2: string;
  token: string;
  busy: boolean;
  error: string | null;
}

export const MIN_PASSWORD = 8;

export function freshLogin(): LoginState {
  return { mode: 'password', phone: '', code: '', password: '', password2: '', token: '', busy: false, error: null };
}

/** A short name for this device in the person's device list. */
/** The name the server keeps for this phone until its owner renames it in 设置. */
function deviceLabel(): string {
  return deviceName(navigator.userAgent).slice(0, 60);
}

/** What the person sees for a refusal: never which of phone, code or password was wrong. */
export function loginErrorText(e: unknown, mode: LoginMode, retryAfter?: number): string {
  if (e instanceof HttpError) {
    if (e.status === 429) return t('login_locked', { m: Math.max(1, Math.ceil((retryAfter ?? 900) / 60)) });
    if (e.code === 'bad_credentials') return mode === 'enrol' ? t('login_bad_code') : t('login_bad_password');
    if (e.status === 400) return t('login_failed', { msg: e.message });
  }
  if (!navigator.onLine || e instanceof TypeError) return t('login_offline');
  return t('login_failed', { msg: (e as Error).message });
}

/** Check the form, get a device token from the server and hand it to `submit` (the normal
 *  token sign-in from there on). */
async function obtainToken(st: LoginState, submit: (token: string) => void, rerender: () => void): Promise<void> {
  if (st.mode === 'token') return submit(st.token.trim());
  if (st.mode === 'enrol' && st.password !== st.password2) {
    st.error = t('login_password_mismatch');
    return rerender();
  }
  if (st.mode === 'enrol' && [...st.password].length < MIN_PASSWORD) {
    st.error = t('login_password_short', { n: MIN_PASSWORD });
    return rerender();
  }
  st.busy = true;
  st.error = null;
  rerender();
  try {
    const r = st.mode === 'enrol'
      ? await new Api().enrol(st.phone, st.code, st.password, deviceLabel())
      : await new Api().login(st.phone, st.password, deviceLabel());
    st.password = '';
    st.password2 = '';
    st.code = '';
    submit(r.token);
  } catch (e) {
    st.error = loginErrorText(e, st.mode, e instanceof HttpError ? e.retryAfter : undefined);
  } finally {
    st.busy = false;
    rerender();
  }
}

export function loginView(st: LoginState, submit: (token: string) => void, rerender: () => void) {
  const input = (key: 'phone' | 'code' | 'password' | 'password2' | 'token') => (e: Event) => {
    st[key] = (e.target as HTMLInputElement).value;
    rerender();
  };
  const mode = (m: LoginMode) => () => {
    st.mode = m;
    st.error = null;
    rerender();
  };
  const ready = st.mode === 'token' ? !!st.token.trim()
    : st.mode === 'enrol' ? !!(st.phone.trim() && st.code.trim() && st.password && st.password2)
    : !!(st.phone.trim() && st.password);
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (ready && !st.busy) void obtainToken(st, submit, rerender);
  };
  const field = (key: 'phone' | 'code' | 'password' | 'password2' | 'token', label: string, attrs: { type?: string; mode?: string; auto?: string }) => html`
    <label>${label}
      <input name=${key} type=${attrs.type ?? 'text'} inputmode=${attrs.mode ?? 'text'} autocomplete=${attrs.auto ?? 'off'}
        autocapitalize="off" spellcheck="false" data-testid=${`login-${key}`}
        .value=${st[key]} @input=${input(key)} />
    </label>`;
  return html`
    <main class="login">
      <div class="brand"><div class="logo">澜</div><h1>${t('app_name')}</h1><p>${t('app_subtitle')}</p></div>
      <div class="chips login-modes">
        <button class="chip ${st.mode === 'password' ? 'on' : ''}" data-testid="mode-password" @click=${mode('password')}>${t('login_mode_password')}</button>
        <button class="chip ${st.mode === 'enrol' ? 'on' : ''}" data-testid="mode-enrol" @click=${mode('enrol')}>${t('login_mode_enrol')}</button>
      </div>
      <form @submit=${onSubmit} class="panel">
        <h2>${st.mode === 'enrol' ? t('login_enrol_title') : st.mode === 'token' ? t('login_token_label') : t('login_title')}</h2>
        ${st.mode === 'token'
          ? html`${field('token', t('login_token_label'), {})}<p class="hint">${t('login_token_hint')}</p>`
          : field('phone', t('login_phone'), { type: 'tel', mode: 'tel', auto: 'tel' })}
        ${st.mode === 'enrol' ? html`
          ${field('code', t('login_code'), { mode: 'numeric', auto: 'one-time-code' })}
          <p class="hint">${t('login_enrol_hint')}</p>
          ${field('password', t('login_new_password', { n: MIN_PASSWORD }), { type: 'password', auto: 'new-password' })}
          ${field('password2', t('login_new_password_again'), { type: 'password', auto: 'new-password' })}` : ''}
        ${st.mode === 'password' ? field('password', t('login_password'), { type: 'password', auto: 'current-password' }) : ''}
        ${st.error ? html`<p class="error" role="alert" data-testid="login-error">${st.error}</p>` : ''}
        <button class="primary big" type="submit" ?disabled=${st.busy || !ready} data-testid="login">
          ${st.busy ? t('login_checking') : st.mode === 'enrol' ? t('login_enrol_submit') : t('login_submit')}
        </button>
      </form>
      ${st.mode !== 'token'
        ? html`<p class="hint"><a href="#/" data-testid="mode-token" @click=${(e: Event) => { e.preventDefault(); mode('token')(); }}>${t('login_use_token')}</a></p>`
        : ''}
    </main>`;
}
