// A fetch a screen starts again whenever its filters change: it shows the latest answer, whether one is
// under way, and the latest error; an answer to earlier filters that arrives late is dropped.
import { errorText } from './connectors.ts';

export class LatestLoad<T> {
  data = $state<T | null>(null);
  loading = $state(true);
  error = $state('');
  private asked = '';

  /** Fetches for `key` (the filters, as a string); `failure` is said when the error carries no message. */
  start(key: string, fetch: () => Promise<T>, failure: string): void {
    this.asked = key;
    this.loading = true;
    fetch()
      .then((found) => {
        if (this.asked !== key) return;
        this.data = found;
        this.error = '';
      })
      .catch((e: unknown) => {
        if (this.asked === key) this.error = errorText(e, failure);
      })
      .finally(() => {
        if (this.asked === key) this.loading = false;
      });
  }
}
