import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AccountRecord } from '../accounts/accounts.store.ts';
import type { OnboardingStore } from './onboarding.store.ts';

export const ONBOARDING_STEPS = ['profile', 'follow_colleagues', 'follow_department', 'first_post'] as const;
export type OnboardingStepId = (typeof ONBOARDING_STEPS)[number];

export interface OnboardingStep {
  id: OnboardingStepId;
  done: boolean;
  /** False while the step cannot be taken yet (the department's account does not exist). */
  available: boolean;
  /** Why a step is not available, for the checklist to say. */
  note: string | null;
}

export interface OnboardingState {
  steps: OnboardingStep[];
  /** Every available step done: the checklist goes away. */
  finished: boolean;
}

/**
 * The first-run checklist. A step is done when the account shows it (a bio or avatar, someone followed,
 * a post written) or when the person marked it done; the state lives on the server so it follows them
 * from the browser to the phone.
 */
export class OnboardingService {
  private readonly store: OnboardingStore;
  private readonly accounts: AccountsService;
  /** Whether the account follows its department actor (docs/connectors-design.md §1); null when there is none. */
  private readonly followsDepartment: (accountId: string) => Promise<boolean | null>;
  /** Everyone who follows the department actor, at once (finishedAmong); null when there is no actor. */
  private readonly departmentFollowers: () => Promise<ReadonlySet<string> | null>;

  constructor(
    store: OnboardingStore,
    accounts: AccountsService,
    followsDepartment: (accountId: string) => Promise<boolean | null> = async () => null,
    departmentFollowers: () => Promise<ReadonlySet<string> | null> = async () => null,
  ) {
    this.store = store;
    this.accounts = accounts;
    this.followsDepartment = followsDepartment;
    this.departmentFollowers = departmentFollowers;
  }

  async state(accountId: string): Promise<OnboardingState> {
    const [account, record, followsDepartment] = await Promise.all([this.accounts.get(accountId), this.store.find(accountId), this.followsDepartment(accountId)]);
    const marked = new Set(record?.completed ?? []);
    const steps = ONBOARDING_STEPS.map((id) => step(id, account, marked, followsDepartment));
    return { steps, finished: steps.every((s) => s.done || !s.available) };
  }

  /**
   * Which of these accounts have finished the checklist (state().finished), in three queries whatever
   * their number: adoption analytics counts activation over every registered account.
   */
  async finishedAmong(accountIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(accountIds)];
    if (ids.length === 0) return new Set();
    const [accounts, records, followers] = await Promise.all([this.accounts.getMany(ids), this.store.findMany(ids), this.departmentFollowers()]);
    const marked = new Map(records.map((r) => [r._id, new Set(r.completed)]));
    const finished = new Set<string>();
    for (const account of accounts) {
      const followsDepartment = followers === null ? null : followers.has(account._id);
      const steps = ONBOARDING_STEPS.map((id) => step(id, account, marked.get(account._id) ?? new Set(), followsDepartment));
      if (steps.every((s) => s.done || !s.available)) finished.add(account._id);
    }
    return finished;
  }

  async complete(accountId: string, steps: OnboardingStepId[]): Promise<OnboardingState> {
    if (steps.length > 0) await this.store.markCompleted(accountId, [...new Set(steps)]);
    return this.state(accountId);
  }
}

function step(id: OnboardingStepId, account: AccountRecord, marked: Set<string>, followsDepartment: boolean | null): OnboardingStep {
  const byHand = marked.has(id);
  switch (id) {
    case 'profile':
      return { id, done: byHand || account.note.trim() !== '' || account.avatarUrl !== null, available: true, note: null };
    case 'follow_colleagues':
      return { id, done: byHand || account.followingCount > 0, available: true, note: null };
    case 'follow_department':
      if (followsDepartment === null) return { id, done: byHand, available: false, note: "Your department's account does not exist yet; this step opens when it does." };
      return { id, done: byHand || followsDepartment, available: true, note: null };
    case 'first_post':
      return { id, done: byHand || account.statusesCount > 0, available: true, note: null };
  }
}
