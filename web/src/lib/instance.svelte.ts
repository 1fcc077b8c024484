// The instance's configuration (GET /api/v2/instance), loaded once and shared: the compose box's character
// limit, the alt text limit, the VAPID key that Web Push subscriptions are made with.
import { api } from './api/client.ts';
import type { InstanceV2 } from './api/entities.ts';

let loading: Promise<InstanceV2> | null = null;

export const instance: { value: InstanceV2 | null } = $state({ value: null });

/** The instance's configuration; fetched on the first call, then the same answer. */
export function loadInstance(): Promise<InstanceV2> {
  loading ??= api.get<InstanceV2>('/api/v2/instance').then((value) => (instance.value = value)).catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}
