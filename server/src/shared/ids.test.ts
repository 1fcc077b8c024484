import { describe, expect, it } from 'vitest';
import { idAt, idTime, isId, newId } from './ids.ts';

describe('ids', () => {
  it('are 16 digits, strictly increasing, and exact as numbers', () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    for (let i = 1; i < ids.length; i++) {
      expect(ids[i]!.length).toBe(16);
      expect(ids[i]! > ids[i - 1]!).toBe(true);
      expect(Number(ids[i]) > Number(ids[i - 1])).toBe(true);
      expect(Number.isSafeInteger(Number(ids[i]))).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('encode their time', () => {
    const at = new Date('2026-06-01T12:00:00.123Z');
    expect(idTime(newId(at)).toISOString()).toBe(at.toISOString());
    expect(idAt(at) <= newId(at)).toBe(true);
  });

  it('recognise their own shape only', () => {
    expect(isId(newId())).toBe(true);
    for (const bad of ['', '123', 'abc', '0000000000000000', `${newId()}0`, '1e15']) expect(isId(bad)).toBe(false);
  });
});
