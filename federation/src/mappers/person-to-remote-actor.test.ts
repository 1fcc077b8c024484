import { describe, expect, it } from 'vitest';
import { Endpoints, Image, Person, PropertyValue, Service } from '@fedify/fedify/vocab';
import { actorToRemoteActorInput } from './person-to-remote-actor.ts';

const ID = 'http://127.0.0.1:3102/users/bob';

function person(values: ConstructorParameters<typeof Person>[0] = {}): Person {
  return new Person({
    id: new URL(ID),
    preferredUsername: 'bob',
    name: 'Bob <b>Builder</b>',
    summary: '<p>Builds <script>alert(1)</script>things</p>',
    url: new URL('http://127.0.0.1:3102/@bob'),
    inbox: new URL(`${ID}/inbox`),
    endpoints: new Endpoints({ sharedInbox: new URL('http://127.0.0.1:3102/inbox') }),
    followers: new URL(`${ID}/followers`),
    manuallyApprovesFollowers: true,
    icon: new Image({ url: new URL('http://127.0.0.1:3102/avatar.png') }),
    attachments: [
      new PropertyValue({ name: 'Title', value: 'Site <i>lead</i>' }),
      new PropertyValue({ name: 'Department', value: 'Engineering' }),
      new PropertyValue({ name: 'Location', value: 'Porto' }),
      new PropertyValue({ name: 'Pronouns', value: 'he/him' }),
    ],
    ...values,
  });
}

describe('actorToRemoteActorInput', () => {
  it('maps a Kith Person, profile fields included, as plain text and sanitized HTML', async () => {
    expect(await actorToRemoteActorInput(person())).toEqual({
      uri: ID,
      url: 'http://127.0.0.1:3102/@bob',
      host: '127.0.0.1:3102',
      username: 'bob',
      displayName: 'Bob Builder',
      noteHtml: '<p>Builds things</p>',
      title: 'Site lead',
      department: 'Engineering',
      location: 'Porto',
      fields: [{ name: 'Pronouns', value: 'he/him' }],
      locked: true,
      bot: false,
      group: false,
      avatarUrl: 'http://127.0.0.1:3102/avatar.png',
      headerUrl: null,
      inboxUrl: `${ID}/inbox`,
      sharedInboxUrl: 'http://127.0.0.1:3102/inbox',
      followersUrl: `${ID}/followers`,
    });
  });

  it('marks services as bots', async () => {
    const service = new Service({ id: new URL(ID), preferredUsername: 'bot', inbox: new URL(`${ID}/inbox`) });
    expect((await actorToRemoteActorInput(service))?.bot).toBe(true);
  });

  it('refuses actors whose inbox is on another origin, or without a username', async () => {
    expect(await actorToRemoteActorInput(person({ inbox: new URL('http://evil.test/inbox') }))).toBeNull();
    expect(await actorToRemoteActorInput(person({ preferredUsername: null }))).toBeNull();
  });

  it('drops a shared inbox or followers collection on another origin, and javascript: URLs', async () => {
    const mapped = await actorToRemoteActorInput(
      person({
        endpoints: new Endpoints({ sharedInbox: new URL('http://evil.test/inbox') }),
        followers: new URL('http://evil.test/followers'),
        url: new URL('javascript:alert(1)'),
      }),
    );
    expect(mapped).toEqual(expect.objectContaining({ sharedInboxUrl: null, followersUrl: null, url: null }));
  });
});
