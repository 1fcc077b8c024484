import OAuth2Server from '@node-oauth/oauth2-server';

/** An error of the OAuth endpoints, sent in OAuth's shape: {"error": code, "error_description": text}. */
export class OAuthProblem extends Error {
  readonly status: number;
  readonly error: string;
  readonly description: string;

  constructor(status: number, error: string, description: string) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
  }

  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const INVALID_CLIENT_DESCRIPTION =
  'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';

/**
 * Converts an error of the OAuth library into an OAuthProblem. Server errors (a failing database, a bug)
 * are rethrown as they are, so the one error handler logs them and answers 500 without details.
 */
export function fromLibraryError(error: unknown): OAuthProblem {
  if (!(error instanceof OAuth2Server.OAuthError)) throw error;
  if (error.name === 'server_error') throw (error as { inner?: unknown }).inner ?? error;
  // Mastodon answers a failed client authentication with 401 (RFC 6749 5.2 allows it).
  const status = error.name === 'invalid_client' ? 401 : error.code;
  const description = error.name === 'invalid_client' ? INVALID_CLIENT_DESCRIPTION : error.message;
  return new OAuthProblem(status, error.name, description);
}
