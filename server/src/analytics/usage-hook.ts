// Records every successful authenticated API action of a person as a usage event. The hook runs once the
// reply is sent; what it must look up (the app's name, whether a follow crosses instances) happens then,
// off the request path, and the event goes to the recorder's buffer.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext } from '../plugins/auth.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { StatusesService } from '../statuses/statuses.service.ts';
import type { ProposalsService } from '../proposals/proposals.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import { classifyUsage, type UsageClassification } from './usage-classifier.ts';
import { deviceOf, type UsageClients } from './usage-client.ts';
import type { UsageRecorder } from './usage-recorder.ts';
import { usageDay, type UsageEvent, type UsageFeature } from './usage.types.ts';

export interface UsageHookOptions {
  recorder: UsageRecorder;
  clients: UsageClients;
  accounts: Pick<AccountsService, 'find'>;
  statuses: Pick<StatusesService, 'getMany'>;
  proposals: Pick<ProposalsService, 'get'>;
}

/** Reads count once per account, client, device and UTC day in this process: only "was active, reading" matters. */
class ReadsSeen {
  private day = '';
  private readonly seen = new Set<string>();

  /** Whether this read is the first of its kind today (and remembers it). */
  first(day: string, key: string): boolean {
    if (day !== this.day) {
      this.day = day;
      this.seen.clear();
    }
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

/** Whether the caller is a person of this instance (not a remote account, not the department actor). */
function localPerson(auth: AuthContext | null): AccountRecord | null {
  const account = auth?.account ?? null;
  return account && account.domain === null && account.kind !== 'department' ? account : null;
}

function stringField(value: unknown, field: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const found = (value as Record<string, unknown>)[field];
  return typeof found === 'string' && found !== '' ? found : typeof found === 'number' ? String(found) : null;
}

/** The Fastify plugin: one onResponse hook for every route. */
export const usageHookPlugin = fp<UsageHookOptions>(async (app: FastifyInstance, options) => {
  const reads = new ReadsSeen();

  /** Whether the account followed or replied to is on another instance; undefined when that cannot be told. */
  async function crossInstance(classification: UsageClassification, request: FastifyRequest): Promise<boolean | undefined> {
    let accountId: string | null = null;
    if (classification.followUp === 'followed-account') accountId = stringField(request.params, 'id');
    if (classification.followUp === 'replied-status') {
      const statusId = stringField(request.body, 'in_reply_to_id');
      const [status] = statusId ? await options.statuses.getMany([statusId]) : [];
      accountId = status?.accountId ?? null;
    }
    if (accountId === null) return undefined;
    const account = await options.accounts.find(accountId);
    return account ? account.domain !== null : undefined;
  }

  /** 'relay' when the approved item is news from another department passed onward, else 'approval'. */
  async function approvalKind(account: AccountRecord, request: FastifyRequest): Promise<UsageFeature> {
    const id = stringField(request.params, 'id');
    const item = id ? await options.proposals.get(account, id) : null;
    return item?.kind === 'incoming' ? 'relay' : 'approval';
  }

  async function record(request: FastifyRequest, auth: AuthContext, account: AccountRecord, routeUrl: string): Promise<void> {
    const at = new Date();
    const classification = classifyUsage(request.method, routeUrl, request.body);
    const client = await options.clients.labelOf(auth, request.headers['x-kith-client']);
    const device = deviceOf(request.headers['user-agent']);
    if (classification.feature === 'read' && !reads.first(usageDay(at), `${account._id}\n${client}\n${device}`)) return;
    const event: UsageEvent = { accountId: account._id, department: account.department ?? '', feature: classification.feature, client, device, at };
    try {
      if (classification.followUp === 'approved-item') event.feature = await approvalKind(account, request);
      else if (classification.followUp !== null) {
        const cross = await crossInstance(classification, request);
        if (cross !== undefined) event.crossInstance = cross;
      }
    } catch (error) {
      // The action happened: it is recorded without what could not be resolved.
      request.log.debug({ err: error }, 'usage event details could not be resolved');
    }
    options.recorder.record(event);
  }

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 400 || !request.url.startsWith('/api/')) return;
    const auth = request.auth;
    const account = localPerson(auth);
    const routeUrl = request.routeOptions.url;
    if (!auth || !account || !routeUrl) return;
    // Tracked at once, so that a flush (tests, shutdown) waits for the look-ups still under way.
    options.recorder.track(record(request, auth, account, routeUrl).catch((error: unknown) => {
      request.log.warn({ err: error }, 'usage event not recorded');
    }));
  });
}, { name: 'kith-usage' });
