import { describe, expect, it } from 'vitest';
import type { PhotoSummary } from '../../../shared/contract/api.js';
import { PhotoPager } from '../../../renderer/library/pager.js';

function photos(from: number, count: number): PhotoSummary[] {
  return Array.from({ length: count }, (_, i) => ({
    id: from + i + 1,
    sha256: 'a'.repeat(64),
    fileName: `IMG_${from + i}.jpg`,
    width: 6,
    height: 4,
    takenAt: null,
    importedAt: '2024-01-01T00:00:00Z',
    rating: 0,
    colorLabel: null,
    trashedAt: null,
  }));
}

describe('the photo pager', () => {
  it('sizes the grid by an estimated total, then asks once for the exact count and keeps it', async () => {
    const exact = 1234;
    let counts = 0;
    let answer: () => void = () => {};
    const pager = new PhotoPager(
      async (offset, limit) => ({ total: 5000, estimated: true, items: photos(offset, Math.min(limit, exact - offset)) }),
      () => {},
      () => {
        counts++;
        return new Promise((resolve) => (answer = () => resolve({ total: exact })));
      },
    );
    await pager.start();
    expect(pager.total).toBe(5000);
    expect(pager.totalIsExact).toBe(false);
    expect(counts).toBe(1);
    answer();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pager.total).toBe(exact);
    expect(pager.totalIsExact).toBe(true);
    // Later pages estimate again; the exact total stays, and is not asked for again.
    await pager.ensure(1000);
    expect(pager.total).toBe(exact);
    expect(counts).toBe(1);
    // After a change to the library the count is asked for again, the old one shown meanwhile.
    const refreshed = pager.invalidate();
    expect(pager.total).toBe(exact);
    await refreshed;
    expect(counts).toBe(2);
    answer();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pager.total).toBe(exact);
    pager.dispose();
  });

  it('takes an exact total from the page itself when there is one', async () => {
    let counts = 0;
    const pager = new PhotoPager(
      async (offset, limit) => ({ total: 300, items: photos(offset, Math.max(0, Math.min(limit, 300 - offset))) }),
      () => {},
      async () => {
        counts++;
        return { total: 300 };
      },
    );
    await pager.start();
    expect(pager.total).toBe(300);
    expect(pager.totalIsExact).toBe(true);
    expect(counts).toBe(0);
    pager.dispose();
  });
});
