// The web app's API types (web/src/lib/api/schema.d.ts, committed) must match the server's route schemas.
// After changing a route: UPDATE_API_TYPES=1 npm test -- web/test/api-types.test.ts (or run
// `npm run -w web api-types` against a running server).
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../server/test/harness.ts';
// @ts-expect-error plain ESM script without types
import { renderApiTypes, schemaFile } from '../scripts/generate-api-types.mjs';

let kith: TestInstance;

beforeAll(async () => {
  kith = await startTestInstance();
});

afterAll(async () => {
  await kith?.close();
});

it('web/src/lib/api/schema.d.ts is generated from the current route schemas', async () => {
  const document = (await kith.api.get('/api/openapi.json')).body;
  const expected: string = await renderApiTypes(document);
  if (process.env.UPDATE_API_TYPES === '1') fs.writeFileSync(schemaFile, expected);
  const committed = fs.readFileSync(schemaFile, 'utf8');
  expect(committed === expected, 'schema.d.ts is out of date: run UPDATE_API_TYPES=1 npm test -- web/test/api-types.test.ts').toBe(true);
});
