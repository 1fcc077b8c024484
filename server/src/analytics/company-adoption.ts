// The company view of adoption (issue 6, item 3; docs/connectors-design.md §8): this instance's own
// aggregate report beside every network member's, each fetched from the member's department actor with a
// signed GET (federation validates what comes back), in parallel, each with its own timeout, and kept in
// Redis for CACHE_SECONDS per (department actor, period). A member that refuses, times out or answers
// garbage shows as ok: false with a short error; it never breaks the view.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { requireConnector } from '../departments/departments.service.ts';
import type { DepartmentsService } from '../departments/departments.service.ts';
import type { NetworkMap, NetworkService } from '../links/network.service.ts';
import type { AdoptionReport, UsagePeriod } from './usage.types.ts';

const CACHE_SECONDS = 300;
/** A failure is remembered briefly, so a member that is down does not make every view wait for its timeout. */
const FAILURE_CACHE_SECONDS = 30;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_ERROR_LENGTH = 200;

/** Federation's signed, validated fetch of a department actor's report (kith.ts attaches it). */
export type AdoptionReportFetch = (actorUri: string, period: UsagePeriod) => Promise<AdoptionReport>;

export interface InstanceAdoption {
  host: string;
  /** The department's name: ours, or the member's as the network map knows it. */
  instance: string;
  self: boolean;
  ok: boolean;
  error: string | null;
  report: AdoptionReport | null;
}

export interface CompanyAdoption {
  period: UsagePeriod;
  /** This instance first, then the network members by host. */
  instances: InstanceAdoption[];
}

export interface CompanyAdoptionDeps {
  /** This instance's own report (AnalyticsService.report). */
  ownReport(period: UsagePeriod): Promise<AdoptionReport>;
  network: NetworkService;
  departments: DepartmentsService;
  /** Key-prefixed connection. */
  redis: Redis;
  publicUrl: string;
  log: FastifyBaseLogger;
  /** How long one member's answer is waited for. */
  timeoutMs?: number;
}

interface Member {
  actor: string;
  host: string;
  department: string;
}

type Outcome = { ok: true; report: AdoptionReport } | { ok: false; error: string };

export class CompanyAdoptionService {
  private readonly deps: CompanyAdoptionDeps;
  private fetchReport: AdoptionReportFetch | null = null;

  constructor(deps: CompanyAdoptionDeps) {
    this.deps = deps;
  }

  /** Connects federation's signed fetch of another department's report (kith.ts). */
  attach(fetch: AdoptionReportFetch): void {
    this.fetchReport = fetch;
  }

  /**
   * The company's adoption in `period`, instance by instance (connectors and admins only): our report,
   * then each network member's (reached over active links, as the network map), each ok or not on its own.
   */
  async company(viewer: AccountRecord | null, period: UsagePeriod): Promise<CompanyAdoption> {
    requireConnector(viewer);
    const [own, map] = await Promise.all([this.deps.ownReport(period), this.deps.network.map()]);
    const self: InstanceAdoption = {
      host: new URL(this.deps.publicUrl).host, instance: this.deps.departments.displayName, self: true, ok: true, error: null, report: own,
    };
    const members = membersOf(map).sort((x, y) => (x.host < y.host ? -1 : x.host > y.host ? 1 : x.actor < y.actor ? -1 : 1));
    const others = await Promise.all(members.map(async (member): Promise<InstanceAdoption> => {
      const outcome = await this.memberReport(member, period);
      const base = { host: member.host, instance: member.department, self: false };
      return outcome.ok ? { ...base, ok: true, error: null, report: outcome.report } : { ...base, ok: false, error: outcome.error, report: null };
    }));
    return { period, instances: [self, ...others] };
  }

  /** A member's report: cached, else fetched with a timeout; a failure becomes its short error. */
  private async memberReport(member: Member, period: UsagePeriod): Promise<Outcome> {
    const key = `analytics:company:${createHash('sha256').update(member.actor).digest('hex').slice(0, 32)}:${period.from}:${period.to}`;
    const cached = await this.deps.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as Outcome;
    if (!this.fetchReport) return { ok: false, error: 'federation is not running' };
    let outcome: Outcome;
    try {
      outcome = { ok: true, report: await withTimeout(this.fetchReport(member.actor, period), this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
    } catch (err) {
      this.deps.log.debug({ err, actor: member.actor }, 'company adoption: report not fetched');
      outcome = { ok: false, error: shortError(err) };
    }
    await this.deps.redis.set(key, JSON.stringify(outcome), 'EX', outcome.ok ? CACHE_SECONDS : FAILURE_CACHE_SECONDS);
    return outcome;
  }
}

/** The departments reachable from ours over active links (the map also shows requested and held links). */
export function membersOf(map: NetworkMap): Member[] {
  const self = map.instances.find((i) => i.self);
  if (!self) return [];
  const neighbours = new Map<string, string[]>();
  const add = (a: string, b: string) => neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
  for (const link of map.links) {
    if (link.state !== 'active') continue;
    add(link.a, link.b);
    add(link.b, link.a);
  }
  const reached = new Set<string>([self.actor]);
  let frontier = [self.actor];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const actor of frontier) {
      for (const other of neighbours.get(actor) ?? []) {
        if (reached.has(other)) continue;
        reached.add(other);
        next.push(other);
      }
    }
    frontier = next;
  }
  return map.instances.filter((i) => !i.self && reached.has(i.actor)).map((i) => ({ actor: i.actor, host: i.host, department: i.department }));
}

class TimedOut extends Error {
  override name = 'TimedOut';
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  // The fetch goes on after a timeout; its own limits (the outbound guard's) end it.
  promise.catch(() => {});
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the view says about a member that failed: the reason, short, without URLs. */
function shortError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const text = message.replace(/:?\s*https?:\/\/\S+/g, '').trim() || 'the report could not be fetched';
  const prefix = err instanceof Error && err.name === 'InvalidAdoptionReport' ? 'invalid report: ' : '';
  return (prefix + text).slice(0, MAX_ERROR_LENGTH);
}
