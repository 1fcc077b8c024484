import type { AccountAchievements } from './achievements.service.ts';
import type { AchievementKind } from './achievements.store.ts';

/** An achievement as the API shows it on a profile. */
export interface AchievementEntity {
  kind: AchievementKind;
  title: string;
  description: string;
  earned_at: string;
}

/** The profile's achievements, and whether the instance shows them at all. */
export interface AchievementsEntity {
  enabled: boolean;
  achievements: AchievementEntity[];
}

/** Each kind's human title and one-line description (English). */
export const ACHIEVEMENT_TEXTS: Record<AchievementKind, { title: string; description: string }> = {
  first_post: {
    title: 'First post',
    description: 'Published a first post of their own (a new post, not a reply or a boost).',
  },
  first_cross_department_follow: {
    title: 'First cross-department follow',
    description: 'Followed someone in another department for the first time.',
  },
  first_reply_favourited: {
    title: 'First favourited reply',
    description: 'Someone else favourited a reply they wrote.',
  },
  first_relayed_news: {
    title: 'First company news',
    description: 'A post they wrote was relayed as company news.',
  },
};

export function toAchievementsEntity(result: AccountAchievements): AchievementsEntity {
  return {
    enabled: result.enabled,
    achievements: result.achievements.map((a) => ({
      kind: a.kind,
      ...ACHIEVEMENT_TEXTS[a.kind],
      earned_at: a.earnedAt.toISOString(),
    })),
  };
}
