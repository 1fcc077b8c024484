// Schema pieces every route file needs: Mastodon clients send booleans as JSON, as form text, or as
// query text ("true", "1"), and ids as path parameters.
import { Type } from '@fastify/type-provider-typebox';

/** A boolean in any of the spellings Mastodon clients send. */
export const BoolParam = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);

/** A record id in the path; unknown ids are a 404 from the service, not a 400. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 32 }) });

/** A BoolParam value as a boolean; undefined when absent. */
export function toBool(value: boolean | string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === true || value === 'true' || value === '1';
}

/** A BoolParam value as a boolean; absent is false. */
export function isTrue(value: boolean | string | undefined): boolean {
  return value === true || value === 'true' || value === '1';
}
