// `/users/{department}/adoption?from=YYYY-MM-DD&to=YYYY-MM-DD`: this instance's aggregate adoption
// report (issue 6, item 3; docs/connectors-design.md §8), for the members of its company network only.
// Fedify routes ActivityStreams objects, not plain JSON with a query, so the adapter (fastify-adapter.ts)
// asks this handler first, with the signer it verified: unsigned → 401; signed by a host that is not a
// department reached over links (even an allowed peer) → 403; a bad period → 400. The body is the report
// rebuilt from its declared fields (lookup/adoption-report.ts), with `id` = the URL asked, as the
// fetching side's guarded loader wants. If our own report cannot be built or fails its own validation,
// the member gets 503 and the reason goes to our log, never into the answer.
import type { FederationPorts } from '../ports.ts';
import type { VerifiedSigner } from '../context.ts';
import { hostOf } from '../net/peer-policy.ts';
import { sharedAdoptionReport, sharedPeriod, type SharedAdoptionReport } from '../lookup/adoption-report.ts';

/** The logger shape this handler needs (pino's, Fastify's). */
export interface AdoptionReportLog {
  error(obj: object, msg?: string): void;
}

export interface AdoptionReportDeps {
  ports: FederationPorts;
  log: AdoptionReportLog;
}

/** Answers a report request; null when `url` is not a report's (Fedify handles it then). */
export type AdoptionReportHandler = (url: URL, signer: VerifiedSigner | null) => Promise<Response | null>;

function json(status: number, body: object, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type, 'cache-control': 'private, no-store', vary: 'Signature, Signature-Input' } });
}

/** Whether `host` belongs to the company network: a linked department's host, or one reached over links (§3). */
async function isNetworkMember(ports: FederationPorts, host: string): Promise<boolean> {
  const linked = (await ports.departments.linkedActors()).map((uri) => hostOf(uri));
  if (linked.includes(host)) return true;
  return (await ports.departments.networkHosts()).some((h) => hostOf(`http://${h}`) === host);
}

export function createAdoptionReportHandler(deps: AdoptionReportDeps): AdoptionReportHandler {
  const { ports, log } = deps;
  return async (url, signer) => {
    const match = /^\/users\/([^/]+)\/adoption$/.exec(url.pathname);
    if (!match || match[1] !== ports.departments.username()) return null;
    if (signer === null) return json(401, { error: 'A valid HTTP signature is required' });
    if (!signer.verified || !(await isNetworkMember(ports, signer.host))) return json(403, { error: 'Adoption figures are shared with the company network only' });
    const period = sharedPeriod(url.searchParams.get('from'), url.searchParams.get('to'));
    if (!period) return json(400, { error: 'from and to must be days (YYYY-MM-DD), from <= to, at most 366 days apart' });
    let report: SharedAdoptionReport;
    try {
      // Rebuilt from the declared fields: nothing the report might carry beyond them leaves the instance.
      report = sharedAdoptionReport(await ports.adoption.report(period), period);
    } catch (err) {
      log.error({ err, period }, 'adoption report not served');
      return json(503, { error: 'Report unavailable' });
    }
    return json(200, { id: url.href, ...report }, 'application/activity+json');
  };
}
