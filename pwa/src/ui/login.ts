import { html } from 'lit-html';
import { t } from '../i18n';

export interface LoginState { token: string; busy: boolean; error: string | null }

export function loginView(st: LoginState, submit: (token: string) => void, rerender: () => void) {
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (st.token.trim()) submit(st.token.trim());
  };
  return html`
    <main class="login">
      <div class="brand"><div class="logo">澜</div><h1>${t('app_name')}</h1><p>${t('app_subtitle')}</p></div>
      <form @submit=${onSubmit} class="panel">
        <h2>${t('login_title')}</h2>
        <label>${t('login_token_label')}
          <input name="token" autocomplete="off" autocapitalize="off" spellcheck="false" data-testid="token"
            .value=${st.token} @input=${(e: Event) => { st.token = (e.target as HTMLInputElement).value; rerender(); }} />
        </label>
        <p class="hint">${t('login_token_hint')}</p>
        ${st.error ? html`<p class="error" role="alert">${st.error}</p>` : ''}
        <button class="primary big" type="submit" ?disabled=${st.busy || !st.token.trim()} data-testid="login">
          ${st.busy ? t('login_checking') : t('login_submit')}
        </button>
      </form>
    </main>`;
}
