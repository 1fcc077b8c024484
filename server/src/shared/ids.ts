// Time-sortable ids: 16 decimal digits, so string order is time order, and each fits a double exactly
// (Redis sorted-set scores). Layout: 1e15 + (ms since 2025-01-01) * 4096 + 12-bit sequence;
// 2^53 leaves room for about 62 years. Mastodon clients treat ids as opaque strings.

const EPOCH_MS = Date.UTC(2025, 0, 1);
const OFFSET = 1e15;
const SEQUENCE_SIZE = 4096;

let lastMs = 0;
// A random start makes collisions between processes in the same millisecond unlikely;
// stores that insert by id still treat a duplicate key as a retryable conflict.
let sequence = Math.floor(Math.random() * SEQUENCE_SIZE);

/** A new id for a record created now (or at `at`, for records carrying their own time). */
export function newId(at: Date = new Date()): string {
  let ms = Math.max(at.getTime(), EPOCH_MS) - EPOCH_MS;
  if (at.getTime() >= Date.now() - 1000) {
    // Records created now never go back in time, even if the clock does.
    if (ms <= lastMs) {
      sequence = (sequence + 1) % SEQUENCE_SIZE;
      if (sequence === 0) lastMs += 1;
      ms = lastMs;
    } else {
      lastMs = ms;
    }
  } else {
    sequence = (sequence + 1) % SEQUENCE_SIZE;
  }
  return String(OFFSET + ms * SEQUENCE_SIZE + sequence);
}

/** The smallest id that could have been created at `at`: for paging by time. */
export function idAt(at: Date): string {
  return String(OFFSET + (Math.max(at.getTime(), EPOCH_MS) - EPOCH_MS) * SEQUENCE_SIZE);
}

/** When an id was made. */
export function idTime(id: string): Date {
  return new Date(Math.floor((Number(id) - OFFSET) / SEQUENCE_SIZE) + EPOCH_MS);
}

/** Whether a string has the shape of a Kith id; anything else cannot name a record. */
export function isId(value: string): boolean {
  return /^[1-9]\d{15}$/.test(value);
}
