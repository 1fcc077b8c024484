// The relay's two activities (docs/connectors-design.md §5), sent by our department actor only:
// the relay Announce (object = the original status's id, never a copy; `origins` = the department
// actors it passed before us, in order; `content` = the connector's note) and the notice that company
// news changed (an Update or Delete naming the status by id only: the receiver re-fetches it from its
// origin and never trusts the notice's body).
import { createHash } from 'node:crypto';
import { Announce, Delete, Update } from '@fedify/fedify/vocab';
import type { RelayNotice, RelayOut } from '../ports.ts';
import { toInstant } from '../mappers/post-to-note.ts';

/** The relay Announce of `out` by the department actor `actor`. */
export function relayAnnounce(actor: URL, followers: URL, out: RelayOut, at: Date = new Date()): Announce {
  return new Announce({
    id: new URL(`${actor.href}/relays/${encodeURIComponent(out.relayId)}`),
    actor,
    object: new URL(out.statusUri),
    content: out.noteHtml === '' ? null : out.noteHtml,
    origins: out.origins.map((uri) => new URL(uri)),
    published: toInstant(at),
    tos: out.targets.map((t) => new URL(t.actorUri)),
    ccs: [followers],
  });
}

/** The notice of a change of company news: one id per department, status and version. */
export function relayNotice(actor: URL, notice: RelayNotice): Update | Delete {
  const digest = createHash('sha256').update(notice.statusUri).digest('base64url').slice(0, 22);
  const values = {
    id: new URL(`${actor.href}/relays/notices/${digest}/${encodeURIComponent(notice.version)}`),
    actor,
    object: new URL(notice.statusUri),
    tos: notice.targets.map((t) => new URL(t.actorUri)),
  };
  return notice.change === 'delete' ? new Delete(values) : new Update(values);
}
