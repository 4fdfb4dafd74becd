/**
 * The library in the browser host, driven through the real UI in Chromium: import (file input
 * and a real folder drop), thumbnails, rating by key, search, preview, trash with undo, reload,
 * the Chinese UI, and the host refusing requests without the token or for another Host.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  dropFromDisk,
  fixturesDir,
  launchChromium,
  makeLibraryDir,
  missingPrerequisite,
  openPage,
  rawRequest,
  removeDir,
  resultsDir,
  seriousProblems,
  startHost,
  type RunningHost,
} from './harness.js';

const PHOTOS = ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'rocket.jpg'];
const BROKEN = 'truncated.jpg';

interface ListedPhoto {
  id: number;
  fileName: string;
  rating: number;
  colorLabel: string | null;
}

const cells = (page: Page) => page.locator('[data-testid="grid-cell"]');
const cell = (page: Page, fileName: string) => page.locator(`[data-testid="grid-cell"][data-file-name="${fileName}"]`);

/** Waits until every thumbnail on screen has decoded (naturalWidth > 0); answers their widths. */
async function thumbnailsLoaded(page: Page, count: number): Promise<number[]> {
  await page.waitForFunction(
    (expected) => {
      const images = [...document.querySelectorAll<HTMLImageElement>('[data-testid="grid-cell"] img')];
      return images.length === expected && images.every((image) => image.complete && image.naturalWidth > 0);
    },
    count,
    { timeout: 20_000 },
  );
  return page.$$eval('[data-testid="grid-cell"] img', (images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
}

function madeUpName(n: number): string {
  return `IMG_${String(n).padStart(6, '0')}.jpg`;
}

/** Photo number n of a made-up library, shaped like a photos.list item. */
function madeUpPhoto(n: number) {
  return {
    id: n,
    sha256: n.toString(16).padStart(64, '0'),
    fileName: madeUpName(n),
    width: 640,
    height: 427,
    takenAt: null,
    importedAt: '2024-01-01T00:00:00.000Z',
    rating: n % 6,
    colorLabel: null,
    trashedAt: null,
  };
}

describe('the library in the browser host', () => {
  let host: RunningHost;
  let browser: Browser;
  let libraryDir: string;
  let dropDir: string;

  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) throw new Error(missing);
    libraryDir = await makeLibraryDir();
    dropDir = await makeLibraryDir();
    host = await startHost(libraryDir, { PROMPTROOM_LOCALE: 'en-US' });
    browser = await launchChromium();
    await mkdir(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (libraryDir) await removeDir(libraryDir);
    if (dropDir) await removeDir(dropDir);
  });

  it('refuses a request without the token, and one for a foreign Host', async () => {
    const withoutToken = await rawRequest(host.port, {
      method: 'POST',
      path: '/api/call/app.info',
      headers: { host: `127.0.0.1:${host.port}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(withoutToken.status).toBe(403);

    const wrongToken = await rawRequest(host.port, {
      method: 'POST',
      path: '/api/call/app.info',
      headers: { host: `127.0.0.1:${host.port}`, 'content-type': 'application/json', 'x-promptroom-token': 'not-the-token' },
      body: '{}',
    });
    expect(wrongToken.status).toBe(403);

    const pageWithoutToken = await rawRequest(host.port, { path: '/', headers: { host: `127.0.0.1:${host.port}` } });
    expect(pageWithoutToken.status).toBe(403);

    const foreignHost = await rawRequest(host.port, {
      method: 'POST',
      path: '/api/call/app.info',
      headers: { host: 'attacker.example', 'content-type': 'application/json', 'x-promptroom-token': host.token },
      body: '{}',
    });
    expect(foreignHost.status).toBeGreaterThanOrEqual(400);
    expect(foreignHost.status).not.toBe(404);
    expect(foreignHost.body).not.toContain('"ok":true');

    const rebound = await rawRequest(host.port, {
      path: `/?token=${host.token}`,
      headers: { host: `evil.example:${host.port}` },
    });
    expect(rebound.status).toBeGreaterThanOrEqual(400);

    const withToken = await callApi<{ host: string }>(host, 'app.info', {});
    expect(withToken.host).toBe('browser');
  });

  it('imports through the UI, rates by key, searches, and keeps it all after a reload', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await page.goto(host.url);
      // The token leaves the address bar at once, and stays in the session for reloads.
      await page.waitForSelector('[data-testid="library"]');
      expect(page.url()).not.toContain('token=');
      expect(await page.evaluate(() => sessionStorage.getItem('promptroom.token'))).toBe(host.token);
      await page.waitForSelector('[data-testid="grid-empty"]');

      // Import… with the file input: five photos and one broken JPEG.
      await page.setInputFiles(
        '[data-testid="import-file-input"]',
        [...PHOTOS, BROKEN].map((name) => path.join(fixturesDir, name)),
      );
      const summary = page.locator('[data-testid="import-summary"]');
      await summary.waitFor({ timeout: 30_000 });
      expect(await summary.getAttribute('data-outcome')).toBe('succeeded');
      expect(await summary.locator('[data-testid="summary-imported"]').textContent()).toBe('5');
      expect(await summary.locator('[data-testid="summary-duplicates"]').textContent()).toBe('0');
      expect(await summary.locator('[data-testid="summary-failed"]').textContent()).toBe('1');
      const failure = summary.locator('[data-testid="import-failure"]');
      await expect.poll(() => failure.count()).toBe(1);
      expect(await failure.getAttribute('data-path')).toContain(BROKEN);
      expect((await failure.locator('.failure-reason').textContent())?.trim().length).toBeGreaterThan(3);

      // The grid refreshes by itself and every thumbnail really decodes.
      await expect.poll(() => cells(page).count(), { timeout: 10_000 }).toBe(5);
      const widths = await thumbnailsLoaded(page, 5);
      expect(widths.every((width) => width > 0)).toBe(true);
      expect((await cells(page).evaluateAll((all) => all.map((el) => el.getAttribute('data-file-name')))).sort()).toEqual([...PHOTOS].sort());
      await page.screenshot({ path: path.join(resultsDir, 'library-import-summary.png') });
      await page.click('[data-testid="import-close"]');

      // A real drop of a folder from disk (walked recursively): the photo inside is already known.
      const folder = path.join(dropDir, 'trip');
      await mkdir(path.join(folder, 'day 1'), { recursive: true });
      await copyFile(path.join(fixturesDir, 'rocket.jpg'), path.join(folder, 'day 1', 'rocket.jpg'));
      await writeFile(path.join(folder, '.DS_Store'), 'not a photo');
      await dropFromDisk(page, [folder]);
      await summary.waitFor({ timeout: 30_000 });
      expect(await summary.locator('[data-testid="summary-imported"]').textContent()).toBe('0');
      expect(await summary.locator('[data-testid="summary-duplicates"]').textContent()).toBe('1');
      expect(await summary.locator('[data-testid="summary-failed"]').textContent()).toBe('0');
      await page.click('[data-testid="import-close"]');
      expect(await cells(page).count()).toBe(5);

      // Click selects; a number key rates the selection; 6 labels it red.
      await cell(page, 'coffee.png').click();
      expect(await cell(page, 'coffee.png').getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('3');
      await expect.poll(() => cell(page, 'coffee.png').locator('[data-testid="rating-stars"]').getAttribute('data-rating')).toBe('3');
      await page.keyboard.press('6');
      await expect.poll(() => cell(page, 'coffee.png').locator('[data-testid="color-label"]').getAttribute('data-label')).toBe('red');
      await expect
        .poll(async () => {
          const { items } = await callApi<{ items: ListedPhoto[] }>(host, 'photos.list', {});
          const coffee = items.find((photo) => photo.fileName === 'coffee.png');
          return `${coffee?.rating}/${coffee?.colorLabel}`;
        })
        .toBe('3/red');

      // Tags from the info panel, then filter by the tag in the sidebar.
      await page.fill('[data-testid="tag-input"]', 'coffee, morning');
      await page.press('[data-testid="tag-input"]', 'Enter');
      await page.locator('[data-testid="photo-tag"][data-tag="morning"]').waitFor();
      await page.locator('[data-testid="tag-filter"][data-tag="morning"]').click();
      await expect.poll(() => cells(page).count()).toBe(1);
      await page.locator('[data-testid="nav-all"]').click();
      await expect.poll(() => cells(page).count()).toBe(5);

      // Search by name (debounced), then clear it.
      await page.fill('[data-testid="search-input"]', 'chel');
      await expect.poll(() => cells(page).count(), { timeout: 5000 }).toBe(1);
      expect(await cells(page).first().getAttribute('data-file-name')).toBe('chelsea.png');
      await page.fill('[data-testid="search-input"]', '');
      await expect.poll(() => cells(page).count(), { timeout: 5000 }).toBe(5);

      // Enter opens the large preview with EXIF; arrows move; Escape closes.
      await cell(page, 'rocket.jpg').click();
      await page.keyboard.press('Enter');
      const preview = page.locator('[data-testid="preview"]');
      await preview.waitFor();
      await page.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>('[data-testid="preview-image"]');
        return !!image && image.complete && image.naturalWidth > 0;
      });
      await expect.poll(() => preview.locator('[data-field="exif.dimensions"] dd').textContent()).toMatch(/\d+ × \d+/);
      await page.screenshot({ path: path.join(resultsDir, 'library-preview.png') });
      const firstId = await preview.getAttribute('data-photo-id');
      const rocketIndex = Number(await cell(page, 'rocket.jpg').getAttribute('data-index'));
      await page.keyboard.press(rocketIndex === 4 ? 'ArrowLeft' : 'ArrowRight');
      await expect.poll(() => preview.getAttribute('data-photo-id')).not.toBe(firstId);
      await page.keyboard.press('Escape');
      await preview.waitFor({ state: 'detached' });

      // Delete moves the selection to the trash; the toast's Undo brings it back.
      await cell(page, 'camera.png').click();
      await page.keyboard.press('Delete');
      const toast = page.locator('[data-testid="toast"]', { hasText: 'Moved 1 photo to trash' });
      await toast.waitFor();
      await expect.poll(() => cells(page).count()).toBe(4);
      await toast.locator('[data-testid="toast-action"]').click();
      await expect.poll(() => cells(page).count()).toBe(5);

      // After a reload everything is still there: photos, thumbnails, the rating.
      await page.reload();
      await expect.poll(() => cells(page).count(), { timeout: 10_000 }).toBe(5);
      await thumbnailsLoaded(page, 5);
      expect(await cell(page, 'coffee.png').locator('[data-testid="rating-stars"]').getAttribute('data-rating')).toBe('3');
      expect(await cell(page, 'coffee.png').locator('[data-testid="color-label"]').getAttribute('data-label')).toBe('red');

      await cell(page, 'coffee.png').click();
      await page.locator('[data-testid="photo-tag"][data-tag="morning"]').waitFor();
      await page.screenshot({ path: path.join(resultsDir, 'library.png') });

      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('switches to Simplified Chinese and keeps the choice', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await page.goto(host.url);
      await expect.poll(() => cells(page).count(), { timeout: 10_000 }).toBe(5);
      await page.selectOption('[data-testid="language-select"]', 'zh-CN');
      await page.getByText('全部照片').waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      expect(await page.locator('[data-testid="import-button"]').textContent()).toBe('导入…');
      await cell(page, 'coffee.png').click();
      await thumbnailsLoaded(page, 5);
      await page.screenshot({ path: path.join(resultsDir, 'library-zh.png') });

      await page.reload();
      await page.getByText('全部照片').waitFor();
      expect((await callApi<{ locale: string | null }>(host, 'settings.get', {})).locale).toBe('zh-CN');

      // Back to English for anyone reusing this library.
      await page.selectOption('[data-testid="language-select"]', 'en');
      await page.getByText('All photos').waitFor();
      await expect.poll(async () => (await callApi<{ locale: string | null }>(host, 'settings.get', {})).locale).toBe('en');
      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('follows changes made elsewhere through server-sent events', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await page.goto(host.url);
      await expect.poll(() => cells(page).count(), { timeout: 10_000 }).toBe(5);
      const { items } = await callApi<{ items: ListedPhoto[] }>(host, 'photos.list', {});
      const astronaut = items.find((photo) => photo.fileName === 'astronaut.png');
      expect(astronaut).toBeDefined();
      await callApi(host, 'photos.setRating', { ids: [astronaut!.id], rating: 5 });
      await expect
        .poll(() => cell(page, 'astronaut.png').locator('[data-testid="rating-stars"]').getAttribute('data-rating'), { timeout: 5000 })
        .toBe('5');
      await callApi(host, 'photos.setRating', { ids: [astronaut!.id], rating: 0 });
      await expect
        .poll(() => cell(page, 'astronaut.png').locator('[data-testid="rating-stars"]').getAttribute('data-rating'), { timeout: 5000 })
        .toBe('0');
      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows failures as readable messages, never a blank window', async () => {
    const { page, context } = await openPage(browser);
    try {
      // The host cannot be reached at start-up: a message and a way to try again.
      await page.route('**/api/call/app.info', (route) => route.abort('connectionrefused'));
      await page.goto(host.url);
      const failed = page.locator('[data-testid="app-load-failed"]');
      await failed.waitFor();
      expect(await failed.textContent()).toContain('Cannot reach Promptroom');
      await page.unroute('**/api/call/app.info');
      await failed.getByRole('button').click();
      await expect.poll(() => cells(page).count(), { timeout: 10_000 }).toBe(5);

      // A call the host refuses: its message appears in a toast.
      await page.route('**/api/call/photos.setRating', (route) =>
        route.fulfill({
          status: 500,
          contentType: 'application/json',
          body: JSON.stringify({ ok: false, error: { code: 'internal', message: 'The library disk is full.' } }),
        }),
      );
      await cell(page, 'rocket.jpg').click();
      await page.keyboard.press('2');
      await page.locator('[data-testid="toast"][data-kind="error"]', { hasText: 'The library disk is full.' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('makes albums, fills one by dragging the selection onto it, filters, renames and deletes it', async () => {
    const { page, context, problems } = await openPage(browser);
    // Playwright turns file-chooser interception on without waiting for it; turn it on early.
    page.on('filechooser', () => {});
    try {
      await page.goto(host.url);
      await expect.poll(() => cells(page).count(), { timeout: 10_000 }).toBe(5);

      // Ctrl+I opens the file picker in the browser.
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Control+i')]);
      expect(chooser.isMultiple()).toBe(true);

      await page.click('[data-testid="album-create"]');
      await page.fill('[data-testid="album-name-input"]', 'Summer');
      await page.press('[data-testid="album-name-input"]', 'Enter');
      const album = page.locator('[data-testid="album-item"][data-album-name="Summer"]');
      await album.waitFor();

      await cell(page, 'coffee.png').click();
      await cell(page, 'chelsea.png').click({ modifiers: ['Control'] });
      expect(await page.locator('[data-testid="grid-cell"][aria-selected="true"]').count()).toBe(2);
      await cell(page, 'chelsea.png').dragTo(album);
      await expect.poll(() => album.locator('.nav-count').textContent()).toBe('2');

      // The menu adds the selection too (a third photo).
      await cell(page, 'rocket.jpg').click();
      await album.hover();
      await album.locator('[data-testid="album-menu"]').click();
      await page.click('[data-testid="album-add-selection"]');
      await expect.poll(() => album.locator('.nav-count').textContent()).toBe('3');

      await album.locator('[data-testid="album-open"]').click();
      await expect.poll(() => cells(page).count()).toBe(3);
      expect(await page.locator('[data-testid="filter-album"]').inputValue()).not.toBe('');

      await album.hover();
      await album.locator('[data-testid="album-menu"]').click();
      await page.click('[data-testid="album-rename"]');
      await page.fill('[data-testid="album-name-input"]', 'Summer 2024');
      await page.press('[data-testid="album-name-input"]', 'Enter');
      const renamed = page.locator('[data-testid="album-item"][data-album-name="Summer 2024"]');
      await renamed.waitFor();

      await renamed.hover();
      await renamed.locator('[data-testid="album-menu"]').click();
      await page.click('[data-testid="album-delete"]');
      await page.click('[data-testid="confirm-ok"]');
      await renamed.waitFor({ state: 'detached' });
      await expect.poll(() => cells(page).count()).toBe(5);
      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('restores from the trash view and empties the trash', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await page.goto(host.url);
      await expect.poll(() => cells(page).count(), { timeout: 10_000 }).toBe(5);
      await cell(page, 'astronaut.png').click();
      await cell(page, 'camera.png').click({ modifiers: ['Shift'] });
      const selected = await page.locator('[data-testid="grid-cell"][aria-selected="true"]').count();
      expect(selected).toBeGreaterThanOrEqual(2);
      await page.keyboard.press('Delete');
      await expect.poll(() => cells(page).count()).toBe(5 - selected);

      await page.click('[data-testid="trash-toggle"]');
      await expect.poll(() => cells(page).count()).toBe(selected);
      await cell(page, 'astronaut.png').click();
      await page.click('[data-testid="restore-button"]');
      await expect.poll(() => cells(page).count()).toBe(selected - 1);

      await page.click('[data-testid="empty-trash-button"]');
      await page.click('[data-testid="confirm-ok"]');
      await page.locator('[data-testid="grid-empty"]').waitFor();
      await page.locator('[data-testid="toast"]', { hasText: 'permanently' }).waitFor();

      await page.click('[data-testid="trash-toggle"]');
      await expect.poll(() => cells(page).count()).toBe(5 - (selected - 1));
      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('stays light with 100,000 photos: few cells in the page, few small fetches while scrolling', async () => {
    const TOTAL = 100_000;
    const fetches: Array<{ offset: number; limit: number }> = [];
    const thumbnail = await readFile(path.join(fixturesDir, 'rocket.jpg'));
    const { page, context, problems } = await openPage(browser);
    try {
      // A made-up library of 100,000 photos behind the real page: photos.list and the images are faked.
      await page.route('**/api/call/photos.list', async (route) => {
        const input = JSON.parse(route.request().postData() ?? '{}') as { offset?: number; limit?: number };
        const offset = input.offset ?? 0;
        const limit = input.limit ?? 200;
        fetches.push({ offset, limit });
        const count = Math.max(0, Math.min(limit, TOTAL - offset));
        const items = Array.from({ length: count }, (_, i) => madeUpPhoto(offset + i + 1));
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ok: true, value: { total: TOTAL, items } }) });
      });
      await page.route('**/api/call/photos.get', async (route) => {
        const { id } = JSON.parse(route.request().postData() ?? '{}') as { id: number };
        const detail = {
          ...madeUpPhoto(id),
          format: 'jpeg',
          byteSize: thumbnail.length,
          sourcePath: null,
          exif: {
            cameraMake: null, cameraModel: null, lens: null, iso: null, exposureTime: null, fNumber: null,
            focalLength: null, orientation: 1, gpsLatitude: null, gpsLongitude: null,
          },
          tags: [],
          albums: [],
        };
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ok: true, value: detail }) });
      });
      await page.route('**/asset/**', (route) => route.fulfill({ status: 200, contentType: 'image/jpeg', body: thumbnail }));
      await page.goto(host.url);
      await expect.poll(() => page.locator('[data-testid="grid"]').getAttribute('data-total'), { timeout: 10_000 }).toBe(String(TOTAL));
      await cell(page, madeUpName(1)).waitFor();
      expect(await cells(page).count()).toBeLessThan(120);

      // Fling through the whole grid, one frame per step.
      const slowFrames = await page.evaluate(async () => {
        const grid = document.querySelector<HTMLElement>('[data-testid="grid"]')!;
        let slow = 0;
        for (let step = 0; step <= 60; step += 1) {
          const before = performance.now();
          grid.scrollTop = (grid.scrollHeight * step) / 60;
          await new Promise((resolve) => requestAnimationFrame(() => resolve(null)));
          if (performance.now() - before > 100) slow += 1;
        }
        return slow;
      });
      expect(slowFrames).toBeLessThan(10);
      await cell(page, madeUpName(TOTAL)).waitFor({ timeout: 10_000 });

      // Keys jump to either end; each shows real cells, never all of them.
      await page.keyboard.press('Home');
      await cell(page, madeUpName(1)).waitFor({ timeout: 10_000 });
      await page.keyboard.press('End');
      await cell(page, madeUpName(TOTAL)).waitFor({ timeout: 10_000 });
      expect(await cell(page, madeUpName(TOTAL)).getAttribute('aria-selected')).toBe('true');
      expect(await cells(page).count()).toBeLessThan(120);
      expect(fetches.every((fetch) => fetch.limit <= 1000)).toBe(true);
      // There are 500 pages; a fling must fetch only a few of them.
      expect(fetches.length).toBeLessThan(80);
      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('opens in Chinese on a Chinese system when no language was chosen', async () => {
    const otherLibrary = await makeLibraryDir();
    const zhHost = await startHost(otherLibrary, { PROMPTROOM_LOCALE: 'zh-Hans-CN' });
    const { page, context } = await openPage(browser);
    try {
      await page.goto(zhHost.url);
      await page.getByText('图库还是空的').waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    } finally {
      await context.close();
      await zhHost.stop();
      await removeDir(otherLibrary);
    }
  });
});
