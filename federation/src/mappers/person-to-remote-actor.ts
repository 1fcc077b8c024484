// A fetched remote actor (Person, Service, Group …) → RemoteActorInput, sanitized and capped like Notes.
// The "Title", "Department" and "Location" PropertyValues Kith writes (dispatchers/actors.ts) come back
// as the three profile fields; every other PropertyValue is a user field.
import { Application, Group, Image, PropertyValue, Service, type Actor } from '@fedify/fedify/vocab';
import type { RemoteActorInput } from '../ports.ts';
import { remoteText, sanitizeRemoteHtml } from './sanitize-in.ts';

/** Upper bounds on what a remote actor may carry. */
export const ACTOR_CAPS = {
  usernameChars: 100,
  displayNameChars: 100,
  /** Raw summary HTML; a longer one is dropped rather than cut. */
  noteChars: 40_000,
  fieldNameChars: 255,
  fieldValueChars: 2_047,
  fields: 16,
} as const;

const refuseLoad = async (url: string): Promise<never> => {
  throw new Error(`${url} is not embedded`);
};
const EMBEDDED_ONLY = { documentLoader: refuseLoad, contextLoader: refuseLoad, suppressError: true } as const;

const PROFILE_FIELDS = { title: 'title', department: 'department', location: 'location' } as const;

function httpUrl(value: URL | { href: URL | null } | null | undefined): string | null {
  const url = value instanceof URL ? value : (value?.href ?? null);
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url.href : null;
}

async function imageUrl(image: Promise<Image | null>): Promise<string | null> {
  const found = await image.catch(() => null);
  return found ? httpUrl(found.url) : null;
}

/**
 * Maps a fetched actor. Returns null when it lacks what delivery needs (an id, an inbox on the actor's
 * origin) or a username.
 */
export async function actorToRemoteActorInput(actor: Actor): Promise<RemoteActorInput | null> {
  const id = actor.id;
  const inbox = actor.inboxId;
  if (!id || !inbox || inbox.origin !== id.origin) return null;
  const username = remoteText(actor.preferredUsername?.toString() ?? '', ACTOR_CAPS.usernameChars);
  if (username.length === 0) return null;
  const shared = actor.endpoints?.sharedInbox ?? null;
  const followers = actor.followersId;

  const profile = { title: '', department: '', location: '' };
  const fields: { name: string; value: string }[] = [];
  for await (const attachment of actor.getAttachments(EMBEDDED_ONLY)) {
    if (!(attachment instanceof PropertyValue)) continue;
    const name = remoteText(attachment.name?.toString() ?? '', ACTOR_CAPS.fieldNameChars);
    const value = remoteText(attachment.value?.toString() ?? '', ACTOR_CAPS.fieldValueChars);
    if (name.length === 0) continue;
    const key = PROFILE_FIELDS[name.toLowerCase() as keyof typeof PROFILE_FIELDS];
    if (key && profile[key] === '') profile[key] = value;
    else if (fields.length < ACTOR_CAPS.fields) fields.push({ name, value });
  }

  const summary = actor.summary?.toString() ?? '';
  return {
    uri: id.href,
    url: httpUrl(actor.url as URL | { href: URL | null } | null),
    host: id.host,
    username,
    displayName: remoteText(actor.name?.toString() ?? '', ACTOR_CAPS.displayNameChars),
    noteHtml: summary.length > ACTOR_CAPS.noteChars ? '' : sanitizeRemoteHtml(summary),
    ...profile,
    fields,
    locked: actor.manuallyApprovesFollowers === true,
    bot: actor instanceof Service || actor instanceof Application,
    group: actor instanceof Group,
    avatarUrl: await imageUrl(actor.getIcon(EMBEDDED_ONLY)),
    headerUrl: await imageUrl(actor.getImage(EMBEDDED_ONLY)),
    inboxUrl: inbox.href,
    sharedInboxUrl: shared && shared.origin === id.origin ? shared.href : null,
    followersUrl: followers && followers.origin === id.origin ? followers.href : null,
  };
}
