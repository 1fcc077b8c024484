// Without a web build the server still starts and answers / with its landing page (server tests never
// depend on web/); web/test/web-app.test.ts covers serving a real build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestInstance, type TestInstance } from '../../test/harness.ts';

let kith: TestInstance;
let emptyDir: string;

beforeAll(async () => {
  emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-no-web-build-'));
  kith = await startTestInstance({ WEB_APP_DIR: emptyDir });
});

afterAll(async () => {
  await kith?.close();
  fs.rmSync(emptyDir, { recursive: true, force: true });
});

it('serves the landing page at / when WEB_APP_DIR holds no build', async () => {
  const res = await kith.api.get('/');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/html');
  expect(res.body).toContain('This is the Kith instance of');
  expect((await kith.api.get('/signin')).status).toBe(404);
});
