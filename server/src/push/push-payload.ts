// The notification as a push message: Mastodon's Web::NotificationSerializer payload, which its web
// service worker and native apps decrypt and show without another request (title and body), and use to
// fetch the full notification (access_token, notification_id).
import { htmlToPlainText } from '../shared/html.ts';
import type { NotificationEntity } from '../notifications/notifications.serialize.ts';

export interface PushPayload {
  access_token: string;
  preferred_locale: string;
  notification_id: string;
  notification_type: string;
  icon: string;
  title: string;
  body: string;
}

const BODY_LENGTH = 140;

/** Mastodon's notification_mailer subjects, with replies and direct messages told apart (their type stays "mention"). */
function titleOf(notification: NotificationEntity, recipientId: string): string {
  const name = notification.account.display_name.trim() || notification.account.username;
  const status = notification.status;
  switch (notification.type) {
    case 'mention':
      if (status?.visibility === 'direct') return `${name} sent you a direct message`;
      if (status?.in_reply_to_account_id === recipientId) return `${name} replied to you`;
      return `You were mentioned by ${name}`;
    case 'status':
      return `${name} just posted`;
    case 'reblog':
      return `${name} boosted your post`;
    case 'follow':
      return `${name} is now following you`;
    case 'follow_request':
      return `Pending follower: ${name}`;
    case 'favourite':
      return `${name} favorited your post`;
    case 'update':
      return `${name} edited a post`;
  }
}

/** The status's content warning or text, else the sender's bio: plain text, at most 140 characters. */
function bodyOf(notification: NotificationEntity): string {
  const status = notification.status;
  // The content warning is plain text already; content and bio are the server's sanitized HTML.
  const text = status?.spoiler_text || htmlToPlainText(status?.content || notification.account.note);
  return text.length > BODY_LENGTH ? `${text.slice(0, BODY_LENGTH - 1)}…` : text;
}

/** The push message for one notification, rendered for its recipient. */
export function toPushPayload(notification: NotificationEntity, recipientId: string, accessToken: string): PushPayload {
  return {
    access_token: accessToken,
    preferred_locale: 'en',
    notification_id: notification.id,
    notification_type: notification.type,
    icon: notification.account.avatar_static,
    title: titleOf(notification, recipientId),
    body: bodyOf(notification),
  };
}
