// The server-rendered sign-in and consent page. Every dynamic value goes through escapeHtml; the page has
// no script at all, and its stylesheet is allowed by hash in the page's own Content-Security-Policy.
import { createHash } from 'node:crypto';
import { escapeHtml } from '../shared/html.ts';
import type { AuthorizeParams } from './authorization.ts';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f4f6;color:#1c1c22}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.75rem 0}input[type=text],input[type=password]{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font:inherit}
.actions{display:flex;gap:.75rem;margin-top:1.25rem}button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #555;background:#fff;cursor:pointer}
button.primary{background:#3b3bd1;border-color:#3b3bd1;color:#fff}.error{color:#a4161a;background:#fdecec;padding:.5rem .75rem;border-radius:6px}
code.token{display:block;padding:.75rem;background:#f4f4f6;word-break:break-all;font-size:1.1rem}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

const SCOPE_TEXT: Record<string, string> = {
  read: 'Read all your account data',
  write: 'Change your account data, post and interact on your behalf',
  follow: 'Follow, block and mute accounts',
  push: 'Receive push notifications',
  profile: 'Read your profile (name, picture, role)',
  'admin:read': 'Read all data of this server (administration)',
  'admin:write': 'Administer this server: accounts, roles, invites',
};

function scopeText(scope: string): string {
  if (SCOPE_TEXT[scope]) return SCOPE_TEXT[scope];
  const parts = scope.split(':');
  const what = parts.at(-1)!.replace(/_/g, ' ');
  if (parts[0] === 'admin') return `${parts[1] === 'read' ? 'Read' : 'Manage'} ${what} (administration)`;
  return `${parts[0] === 'read' ? 'Read' : 'Change'} your ${what}`;
}

/**
 * The page's Content-Security-Policy. The form's target must allow the client's redirect URI as well,
 * because browsers apply form-action to the redirect that follows the form.
 */
export function pageSecurityPolicy(redirectUri: string | null): string {
  const formAction = ["'self'"];
  if (redirectUri && redirectUri !== 'urn:ietf:wg:oauth:2.0:oob') {
    const url = new URL(redirectUri);
    formAction.push(url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol);
  }
  return `default-src 'none'; style-src ${STYLE_HASH}; form-action ${formAction.join(' ')}; frame-ancestors 'none'; base-uri 'none'`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

function hidden(name: string, value: string | undefined): string {
  return value ? `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">` : '';
}

export interface ConsentPage {
  instanceName: string;
  appName: string;
  appWebsite: string | null;
  scopes: string[];
  params: AuthorizeParams;
  csrfToken: string;
  /** The signed-in user's handle, or null to ask for a username and password. */
  signedInAs: string | null;
  forceLogin: boolean;
  /** The login typed last time, to fill in again after a failed sign-in. */
  login?: string;
  error?: string;
}

/** The sign-in and consent form. */
export function renderConsentPage(page: ConsentPage): string {
  const p = page.params;
  const fields = [
    hidden('response_type', p.response_type),
    hidden('client_id', p.client_id),
    hidden('redirect_uri', p.redirect_uri),
    hidden('scope', p.scope),
    hidden('state', p.state),
    hidden('code_challenge', p.code_challenge),
    hidden('code_challenge_method', p.code_challenge_method),
    hidden('force_login', page.forceLogin ? 'true' : undefined),
    hidden('csrf_token', page.csrfToken),
  ].join('\n');
  const anotherAccount = new URLSearchParams();
  for (const [key, value] of Object.entries(p)) if (typeof value === 'string' && value !== '') anotherAccount.set(key, value);
  anotherAccount.set('force_login', 'true');
  const who = page.signedInAs
    ? `<p>Signed in as <strong>@${escapeHtml(page.signedInAs)}</strong>. <a href="/oauth/authorize?${escapeHtml(anotherAccount.toString())}">Use another account</a></p>`
    : `<label>Username or email<input type="text" name="username" value="${escapeHtml(page.login ?? '')}" autocomplete="username" autocapitalize="none" required></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>`;
  const app = page.appWebsite
    ? `<a href="${escapeHtml(page.appWebsite)}" rel="noopener noreferrer">${escapeHtml(page.appName)}</a>`
    : `<strong>${escapeHtml(page.appName)}</strong>`;
  const body = `<h1>Authorize ${escapeHtml(page.appName)}</h1>
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
<p>${app} asks for access to your account on ${escapeHtml(page.instanceName)}. It will be able to:</p>
<ul>${page.scopes.map((s) => `<li>${escapeHtml(scopeText(s))} <small>(${escapeHtml(s)})</small></li>`).join('')}</ul>
<form method="post" action="/oauth/authorize">
${fields}
${who}
<div class="actions">
<button type="submit" name="decision" value="approve" class="primary">Authorize</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>`;
  return layout(`Authorize ${page.appName} · ${page.instanceName}`, body);
}

/** The page that shows an authorization code to copy into an out-of-band app. */
export function renderCodePage(instanceName: string, appName: string, code: string): string {
  return layout(`Authorization code · ${instanceName}`, `<h1>Authorization code</h1>
<p>Copy this code and paste it into ${escapeHtml(appName)}:</p>
<code class="token" id="code">${escapeHtml(code)}</code>`);
}

/** A page explaining why an authorization request cannot go on. */
export function renderErrorPage(instanceName: string, title: string, message: string): string {
  return layout(`${title} · ${instanceName}`, `<h1>${escapeHtml(title)}</h1>
<p class="error">${escapeHtml(message)}</p>`);
}
