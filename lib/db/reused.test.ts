// A reused answer past its window is handed out while it is recounted beside the reader: what happens when that
// recount fails, or comes back after a newer answer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getDb } from './index';
import { forgetReused, reusedUntilChange } from './reused';

const read = (key: string, compute: () => Promise<number>) => reusedUntilChange(getDb(), key, compute);

describe('reused answers past their window', () => {
  afterEach(() => {
    vi.useRealTimers();
    forgetReused();
  });

  it('keep the old answer when the recount fails, and the next reader tries again', async () => {
    const start = Date.now();
    expect(await read('failing', async () => 1)).toBe(1);
    vi.useFakeTimers({ now: start + 31_000, toFake: ['Date'] });
    const failing = vi.fn(async (): Promise<number> => {
      throw new Error('database unreachable');
    });
    expect(await read('failing', failing)).toBe(1);
    await vi.waitFor(() => expect(failing).toHaveBeenCalledTimes(1));
    // A recount that throws before it returns a promise fails the same way, not the reader.
    const throwing = vi.fn((): Promise<number> => {
      throw new Error('bad query');
    });
    await vi.waitFor(async () => {
      expect(await read('failing', throwing)).toBe(1);
      expect(throwing).toHaveBeenCalled();
    });
    await vi.waitFor(async () => expect(await read('failing', async () => 3)).toBe(3), { timeout: 5_000 });
  });

  it('are never shown past a minute, though readers keep drawing recounts that fail', async () => {
    // Whoever would keep a figure stale (a count that shows their overdue review) by reading the page through the
    // grace while its recount fails: the grace counts from when the answer was computed, not from the last read.
    const start = Date.now();
    expect(await read('stretched', async () => 1)).toBe(1);
    const failing = vi.fn(async (): Promise<number> => {
      throw new Error('database unreachable');
    });
    for (const seconds of [31, 40, 50, 59]) {
      vi.useFakeTimers({ now: start + seconds * 1_000, toFake: ['Date'] });
      expect(await read('stretched', failing)).toBe(1);
      await vi.waitFor(() => expect(failing).toHaveBeenCalled());
      failing.mockClear();
    }
    vi.useFakeTimers({ now: start + 61_000, toFake: ['Date'] });
    expect(await read('stretched', async () => 7)).toBe(7);
  });

  it('drop a recount that comes back after a newer answer', async () => {
    const start = Date.now();
    expect(await read('late', async () => 1)).toBe(1);
    vi.useFakeTimers({ now: start + 31_000, toFake: ['Date'] });
    let finish: ((n: number) => void) | undefined;
    const slow = () => new Promise<number>((resolve) => (finish = resolve));
    expect(await read('late', slow)).toBe(1);
    await vi.waitFor(() => expect(finish).toBeDefined());
    forgetReused();
    expect(await read('late', async () => 5)).toBe(5);
    finish!(4);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await read('late', async () => 6)).toBe(5);
  });
});
