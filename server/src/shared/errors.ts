// Typed errors with a message that is safe to show to API clients.
// One Fastify error handler (plugins/errors.ts) maps them to status codes and Mastodon's {"error": "..."} body.

export abstract class KithError extends Error {
  abstract readonly statusCode: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed (e.g. an unparsable parameter). */
export class BadRequest extends KithError {
  readonly statusCode = 400;
}

/** 401: no valid credentials. */
export class Unauthorized extends KithError {
  readonly statusCode = 401;
  constructor(message = 'The access token is invalid') {
    super(message);
  }
}

/** 403: authenticated, but not allowed (role, scope, suspension, someone else's record). */
export class Forbidden extends KithError {
  readonly statusCode = 403;
  constructor(message = 'This action is not allowed') {
    super(message);
  }
}

/** 404: the record does not exist, or the caller may not know it exists. */
export class NotFound extends KithError {
  readonly statusCode = 404;
  constructor(message = 'Record not found') {
    super(message);
  }
}

/** 409: the request conflicts with the current state (e.g. a name already taken while being created). */
export class Conflict extends KithError {
  readonly statusCode = 409;
}

/** 413: the body is larger than allowed. */
export class PayloadTooLarge extends KithError {
  readonly statusCode = 413;
}

/** 422: well-formed, but it breaks a rule (Mastodon's "Validation failed: ..."). */
export class Invalid extends KithError {
  readonly statusCode = 422;
}

/** 429: too many requests. */
export class RateLimited extends KithError {
  readonly statusCode = 429;
  constructor(message = 'Too many requests') {
    super(message);
  }
}
