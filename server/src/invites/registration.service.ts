import type { AccountsService } from '../accounts/accounts.service.ts';
import type { RegistrationMode } from '../config.ts';
import type { OAuthService, IssuedToken } from '../oauth/oauth.service.ts';
import type { AuthContext } from '../plugins/auth.ts';
import { Conflict, Forbidden, Invalid } from '../shared/errors.ts';
import type { InviteRecord } from './invites.store.ts';
import type { InvitesService } from './invites.service.ts';

export interface SignUp {
  username: string;
  /** Optional only with an invite (frontline staff without a company email). */
  email?: string | null;
  password: string;
  agreement: boolean;
  locale?: string;
  reason?: string;
  inviteCode?: string | null;
}

/**
 * Sign-up through the API (Mastodon's POST /api/v1/accounts), gated by the instance's registration
 * mode and invite codes. Nothing is stored when it fails: the invite use is given back.
 */
export class RegistrationService {
  /** The mode in force now (an admin may change it at runtime). */
  private readonly mode: () => Promise<RegistrationMode>;
  private readonly accounts: AccountsService;
  private readonly invites: InvitesService;
  private readonly oauth: OAuthService;

  constructor(mode: () => Promise<RegistrationMode>, accounts: AccountsService, invites: InvitesService, oauth: OAuthService) {
    this.mode = mode;
    this.accounts = accounts;
    this.invites = invites;
    this.oauth = oauth;
  }

  /**
   * Creates an account and returns a token for it, owned by the calling app with the app token's
   * scopes (as Mastodon does). Throws Forbidden (registrations closed, invite missing or invalid) or
   * Invalid (a bad field, or a username or email already taken).
   */
  async register(caller: AuthContext, input: SignUp): Promise<IssuedToken> {
    const mode = await this.mode();
    if (mode === 'closed') throw new Forbidden('This action is not allowed');
    const appId = caller.appId;
    if (!appId) throw new Forbidden('This action is not allowed');
    const code = input.inviteCode?.trim() || null;
    if (mode === 'invite' && code === null) throw new Forbidden('An invite code is required to sign up here');
    if (!input.agreement) throw new Invalid('Validation failed: Agreement must be accepted');
    const email = input.email?.trim() || null;
    if (email === null && code === null) throw new Invalid("Validation failed: Email can't be blank");
    // Check before taking a use, so a bad code fails fast and a field error rarely needs a give-back.
    if (code !== null && !(await this.invites.check(code)).valid) throw new Forbidden('This invite code is invalid, expired or used up');

    let invite: InviteRecord | null = null;
    if (code !== null) invite = await this.invites.redeem(code);
    let accountId: string;
    try {
      const account = await this.accounts.create({
        username: input.username,
        email,
        password: input.password,
        role: invite?.role ?? 'member',
      });
      accountId = account._id;
    } catch (error) {
      if (invite) await this.invites.release(invite._id);
      // Mastodon answers a taken username or email with 422 (ERR_TAKEN), like every other field error.
      if (error instanceof Conflict) throw new Invalid(error.message);
      throw error;
    }
    return this.oauth.issueToken(appId, accountId, caller.scopes);
  }
}
