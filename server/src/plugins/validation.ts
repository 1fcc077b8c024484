import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const shared: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };

// Query strings and path parameters are text, so numbers and booleans there are coerced, and a
// single `id=1` reads as the array `id[]=1`. Bodies are validated as sent: a number where text is
// expected is a client's mistake and gets a 400. (Form-encoded bodies arrive as strings; their
// schemas accept the string spellings of booleans and numbers explicitly.)
const coercing = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));
const exact = addFormats(new Ajv({ ...shared, coerceTypes: false }));

/** Installs the validators: coercing for params, query and headers; exact for bodies. */
export function installValidators(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema as object));
  // Mastodon clients POST actions such as /follow with no body at all; validate those as {}.
  app.addHook('preValidation', async (request) => {
    if ((request.body === undefined || request.body === null) && request.routeOptions.schema && (request.routeOptions.schema as FastifySchema).body) {
      request.body = {};
    }
  });
}
