// The set-up the connectors tests share (docs/connectors-design.md §7): real instances named after
// departments (INSTANCE_NAME a, b, …), NOT peered with each other — linking makes them peers — each
// with an admin, a connector and a plain member, and the steps the tests repeat (link, settle, find a link).
import { expect } from 'vitest';
import { startTestInstance, type TestInstance, type TestUser } from '../harness.ts';
import { settle as settleInstances } from '../federation/network.ts';

export interface Department {
  /** INSTANCE_NAME, also the department actor's username. */
  name: string;
  instance: TestInstance;
  /** `127.0.0.1:<port>` */
  host: string;
  /** The department actor's id, `<url>/users/<name>`. */
  actorUrl: string;
  /** An admin (also a connector), with admin scopes. */
  admin: TestUser;
  /** A connector. */
  connector: TestUser;
  /** A member who is not a connector. */
  member: TestUser;
}

/** Starts one department per name, in parallel; `env` for all (e.g. LINK_PEERING). */
export async function startDepartments<N extends string>(names: readonly N[], env: Record<string, string> = {}): Promise<Record<N, Department>> {
  const started = await Promise.all(names.map(async (name) => {
    const instance = await startTestInstance({ INSTANCE_NAME: name, ...env });
    const admin = await instance.createUser(`${name}_admin`, { role: 'admin', scopes: ['read', 'write', 'follow', 'admin:read', 'admin:write'] });
    const connector = await instance.createUser(`${name}_connector`, { role: 'connector' });
    const member = await instance.createUser(`${name}_member`);
    const department: Department = {
      name, instance, host: new URL(instance.url).host, actorUrl: `${instance.url}/users/${name}`, admin, connector, member,
    };
    return [name, department] as const;
  }));
  return Object.fromEntries(started) as Record<N, Department>;
}

/** Stops every department that was started. */
export async function closeDepartments(departments: Partial<Record<string, Department>> | undefined): Promise<void> {
  await Promise.all(Object.values(departments ?? {}).map((d) => d?.instance.close()));
}

/** Runs every department's queued work until a chain of hops across them is done. */
export function settle(all: readonly Department[]): Promise<void> {
  return settleInstances(all.map((d) => d.instance));
}

/** `x`'s link with `y`'s department actor, as its connector reads it, or undefined. */
export async function linkWith(x: Department, y: Department): Promise<any> {
  const response = await x.connector.api.get('/api/v1/kith/links');
  expect(response.status).toBe(200);
  return (response.body as any[]).find((l) => l.department.actor === y.actorUrl);
}

/** `x`'s connector asks `y` to link; returns the link on `x`. */
export async function requestLink(x: Department, y: Department, all: readonly Department[] = [x, y]): Promise<any> {
  const asked = await x.connector.api.post('/api/v1/kith/links', { target: y.actorUrl });
  expect(asked.status, JSON.stringify(asked.body)).toBe(200);
  await settle(all);
  return asked.body;
}

/** Links `x` and `y`: `x` asks, `y`'s connector accepts; both end active. */
export async function link(x: Department, y: Department, all: readonly Department[] = [x, y]): Promise<void> {
  await requestLink(x, y, all);
  const pending = await linkWith(y, x);
  expect(pending?.state).toBe('requested_by_them');
  const accepted = await y.connector.api.post(`/api/v1/kith/links/${pending.id}/accept`);
  expect(accepted.status).toBe(200);
  await settle(all);
  expect((await linkWith(x, y))?.state).toBe('active');
  expect((await linkWith(y, x))?.state).toBe('active');
}
