import { describe, expect, it } from 'vitest';
import { Hashtag, LanguageString, Mention, Note, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { LocalNote } from '../ports.ts';
import { noteAddressing, postToNote, toInstant, type NoteUris } from './post-to-note.ts';
import { NOTE_CAPS, noteToRemotePost, visibilityFromAudience, type NoteAuthor } from './note-to-remote-post.ts';

const ORIGIN = 'http://127.0.0.1:3101';
const uris: NoteUris = {
  actor: (u) => new URL(`${ORIGIN}/users/${u}`),
  followers: (u) => new URL(`${ORIGIN}/users/${u}/followers`),
  note: (u, id) => new URL(`${ORIGIN}/users/${u}/statuses/${id}`),
  hashtag: (name) => new URL(`${ORIGIN}/tags/${name}`),
};
const PUBLIC = PUBLIC_COLLECTION.href;
const FOLLOWERS = `${ORIGIN}/users/alice/followers`;
const BOB = 'http://127.0.0.1:3102/users/bob';

function localNote(overrides: Partial<LocalNote> = {}): LocalNote {
  return {
    statusId: '65a000000000000000000001',
    authorUsername: 'alice',
    contentHtml: '<p>Hello <a href="http://127.0.0.1:3102/@bob">@bob</a> #kith</p>',
    spoilerText: '',
    sensitive: false,
    visibility: 'public',
    language: 'en',
    inReplyToUri: null,
    tags: ['kith'],
    mentions: [{ uri: BOB, acct: 'bob@127.0.0.1:3102' }],
    createdAt: new Date('2026-11-23T10:00:00.000Z'),
    editedAt: null,
    deletedAt: null,
    reblogOfUri: null,
    ...overrides,
  };
}

const hrefs = (list: readonly URL[]) => list.map((u) => u.href);

describe('postToNote', () => {
  it('addresses each visibility the way Mastodon does', () => {
    const by = (visibility: LocalNote['visibility']) => {
      const a = noteAddressing(localNote({ visibility }), uris);
      return a && { to: hrefs(a.to), cc: hrefs(a.cc) };
    };
    expect(by('public')).toEqual({ to: [PUBLIC], cc: [FOLLOWERS, BOB] });
    expect(by('unlisted')).toEqual({ to: [FOLLOWERS], cc: [PUBLIC, BOB] });
    expect(by('private')).toEqual({ to: [FOLLOWERS], cc: [BOB] });
    expect(by('direct')).toEqual({ to: [BOB], cc: [] });
    expect(by('local')).toBeNull();
  });

  it('never maps a local status, a boost or a deleted status', () => {
    expect(postToNote(localNote({ visibility: 'local' }), uris)).toBeNull();
    expect(postToNote(localNote({ reblogOfUri: 'http://127.0.0.1:3102/users/bob/statuses/1' }), uris)).toBeNull();
    expect(postToNote(localNote({ deletedAt: new Date() }), uris)).toBeNull();
  });

  it('renders content, warning, reply, dates, mentions and hashtags', async () => {
    const note = postToNote(
      localNote({ spoilerText: 'cw', inReplyToUri: 'http://127.0.0.1:3102/users/bob/statuses/9', editedAt: new Date('2026-11-23T11:00:00.000Z') }),
      uris,
    )!;
    expect(note.id?.href).toBe(`${ORIGIN}/users/alice/statuses/65a000000000000000000001`);
    expect(note.attributionId?.href).toBe(`${ORIGIN}/users/alice`);
    expect(String(note.content)).toContain('Hello');
    expect((note.content as LanguageString).locale.language).toBe('en');
    expect(String(note.summary)).toBe('cw');
    expect(note.sensitive).toBe(true);
    expect(note.replyTargetId?.href).toBe('http://127.0.0.1:3102/users/bob/statuses/9');
    expect(note.published?.toString()).toBe('2026-11-23T10:00:00Z');
    expect(note.updated?.toString()).toBe('2026-11-23T11:00:00Z');
    const json = (await note.toJsonLd({ format: 'compact' })) as Record<string, unknown>;
    expect(json.to).toBe('as:Public');
    expect(json.tag).toEqual([
      { type: 'Mention', href: BOB, name: '@bob@127.0.0.1:3102' },
      { type: 'Hashtag', href: `${ORIGIN}/tags/kith`, name: '#kith' },
    ]);
  });
});

const author: NoteAuthor = { accountId: 'acc-bob', actorUri: BOB, followersUrl: `${BOB}/followers` };

function remoteNote(values: ConstructorParameters<typeof Note>[0] = {}): Note {
  return new Note({
    id: new URL('http://127.0.0.1:3102/users/bob/statuses/1'),
    attribution: new URL(BOB),
    content: '<p>hi</p>',
    published: toInstant(new Date('2026-11-23T10:00:00.000Z')),
    tos: [PUBLIC_COLLECTION],
    ccs: [new URL(`${BOB}/followers`)],
    ...values,
  });
}

async function mapOk(note: Note) {
  const result = await noteToRemotePost(note, author);
  if (!result.ok) throw new Error(result.reason);
  return result.note;
}

describe('noteToRemotePost', () => {
  it('maps a Mastodon-shaped Note', async () => {
    const note = await mapOk(
      remoteNote({
        content: new LanguageString('<p>Hi <a href="http://127.0.0.1:3101/users/alice" class="u-url mention">@alice</a> #Kith</p>', 'de'),
        summary: 'Spoiler <b>ahead</b>',
        replyTarget: new URL('http://127.0.0.1:3101/users/alice/statuses/7'),
        updated: toInstant(new Date('2026-11-23T12:00:00.000Z')),
        url: new URL('http://127.0.0.1:3102/@bob/1'),
        tags: [
          new Mention({ href: new URL('http://127.0.0.1:3101/users/alice'), name: '@alice@127.0.0.1:3101' }),
          new Hashtag({ href: new URL('http://127.0.0.1:3102/tags/kith'), name: '#Kith' }),
        ],
      }),
    );
    expect(note).toEqual({
      uri: 'http://127.0.0.1:3102/users/bob/statuses/1',
      url: 'http://127.0.0.1:3102/@bob/1',
      authorId: 'acc-bob',
      contentHtml:
        '<p>Hi <a href="http://127.0.0.1:3101/users/alice" class="u-url mention" rel="nofollow noopener" target="_blank">@alice</a> #Kith</p>',
      spoilerText: 'Spoiler ahead',
      sensitive: true,
      visibility: 'public',
      language: 'de',
      inReplyToUri: 'http://127.0.0.1:3101/users/alice/statuses/7',
      mentionUris: ['http://127.0.0.1:3101/users/alice'],
      tags: ['kith'],
      published: new Date('2026-11-23T10:00:00.000Z'),
      updated: new Date('2026-11-23T12:00:00.000Z'),
    });
  });

  it('derives visibility from to/cc as Mastodon does', () => {
    const f = new URL(`${BOB}/followers`);
    const alice = new URL('http://127.0.0.1:3101/users/alice');
    expect(visibilityFromAudience([PUBLIC_COLLECTION], [f], f.href)).toBe('public');
    expect(visibilityFromAudience([f], [PUBLIC_COLLECTION], f.href)).toBe('unlisted');
    expect(visibilityFromAudience([f], [alice], f.href)).toBe('private');
    expect(visibilityFromAudience([alice], [], f.href)).toBe('direct');
    expect(visibilityFromAudience([f], [], null)).toBe('direct');
  });

  it('makes hostile HTML inert', async () => {
    const note = await mapOk(
      remoteNote({
        content:
          '<p onclick="steal()">x<script>alert(1)</script><img src=x onerror="alert(1)"><a href="javascript:alert(1)">y</a>' +
          '<iframe src="https://evil.example/"></iframe><style>*{}</style><span style="position:fixed">z</span></p>',
      }),
    );
    expect(note.contentHtml).toBe('<p>x<a rel="nofollow noopener" target="_blank">y</a><span>z</span></p>');
  });

  it('refuses Notes that are not the actor’s own', async () => {
    const otherHost = await noteToRemotePost(remoteNote({ id: new URL('http://127.0.0.1:3103/users/bob/statuses/1') }), author);
    expect(otherHost).toEqual({ ok: false, reason: 'note id is not on the author origin' });
    const otherAuthor = await noteToRemotePost(remoteNote({ attribution: new URL('http://127.0.0.1:3102/users/carol') }), author);
    expect(otherAuthor).toEqual({ ok: false, reason: 'note is not attributed to the activity actor' });
    const noId = await noteToRemotePost(remoteNote({ id: null }), author);
    expect(noId.ok).toBe(false);
  });

  it('caps content, warnings, mentions and hashtags', async () => {
    const tooLong = await noteToRemotePost(remoteNote({ content: 'a'.repeat(NOTE_CAPS.contentChars + 1) }), author);
    expect(tooLong).toEqual({ ok: false, reason: 'content too long' });

    const many = await mapOk(
      remoteNote({
        summary: 'w'.repeat(5_000),
        tags: [
          ...Array.from({ length: 80 }, (_, i) => new Mention({ href: new URL(`http://127.0.0.1:3101/users/u${i}`) })),
          ...Array.from({ length: 80 }, (_, i) => new Hashtag({ name: `#t${i}` })),
          new Hashtag({ name: `#${'x'.repeat(NOTE_CAPS.tagChars + 1)}` }),
          new Hashtag({ name: '#<script>' }),
          new Mention({ href: new URL('javascript:alert(1)') }),
        ],
      }),
    );
    expect(many.spoilerText).toHaveLength(NOTE_CAPS.summaryChars);
    expect(many.mentionUris).toHaveLength(NOTE_CAPS.mentions);
    expect(many.tags).toHaveLength(NOTE_CAPS.tags);
    expect(many.tags.every((t) => /^t\d+$/.test(t))).toBe(true);
  });
});
