/**
 * The identity check in the browser host, driven through the real UI in Chromium: a portrait is
 * edited once by the local engine ("blur the background": new pixels, the same woman) and once by
 * the fake Gemini server, whose answer is her photo with another man's face pasted over hers. The
 * face check runs in the background after each step; its `identity.checked` event puts a badge on
 * the history row without a reload ("Same person 0.xx" below 0.6, "Identity changed 0.xx" at or
 * above it), the badges come back after a reload from `identity_checks`, and read in Chinese when
 * the UI is switched to Simplified Chinese.
 */
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeGemini, type FakeGemini, type FakeRequest } from '../fakes/gemini-server.js';
import { faceSwappedAstronaut } from '../support/fixtures.js';
import {
  fixturesDir,
  importFixtures,
  launchChromium,
  makeLibraryDir,
  missingPrerequisite,
  openPage,
  removeDir,
  resultsDir,
  seriousProblems,
  settled,
  startHost,
  waitForLabel,
  type RunningHost,
} from './harness.js';

const TEST_KEY = 'AIzaSyE2E-promptroom-identity-key-2d81';
const CLOUD_PROMPT = 'make her look like someone else';
const TWO_PROMPT = 'a little brighter';

interface BadgeInfo {
  stepId: string;
  label: string;
  verdict: string;
  distance: number;
  text: string;
}

/** The identity badge of every history row that has one, top to bottom. */
function historyBadges(page: Page): Promise<BadgeInfo[]> {
  return page.$$eval('[data-testid="history-row"]', (rows) =>
    rows.flatMap((row) => {
      const badge = row.querySelector('[data-testid="identity-badge"]');
      if (!badge) return [];
      return [
        {
          stepId: row.getAttribute('data-step-id') ?? '',
          label: row.getAttribute('data-label') ?? '',
          verdict: badge.getAttribute('data-verdict') ?? '',
          distance: Number(badge.getAttribute('data-distance')),
          text: badge.textContent ?? '',
        },
      ];
    }),
  );
}

/** The identity badge of each result in the variants tray, left to right. */
function trayBadges(page: Page): Promise<Omit<BadgeInfo, 'stepId' | 'label'>[]> {
  return page.$$eval('[data-testid="variant-item"] [data-testid="identity-badge"]', (badges) =>
    badges.map((badge) => ({ verdict: badge.getAttribute('data-verdict') ?? '', distance: Number(badge.getAttribute('data-distance')), text: badge.textContent ?? '' })),
  );
}

/** What a badge should say in Simplified Chinese. */
function inChinese(badge: { verdict: string; distance: number }): string {
  return `${badge.verdict === 'same' ? '同一人' : '身份已改变'} ${badge.distance.toFixed(2)}`;
}

async function badgeOf(page: Page, stepId: string, timeout: number): Promise<BadgeInfo> {
  let found: BadgeInfo | undefined;
  await expect
    .poll(
      async () => {
        found = (await historyBadges(page)).find((badge) => badge.stepId === stepId);
        return found !== undefined;
      },
      { timeout },
    )
    .toBe(true);
  return found!;
}

async function openEditor(page: Page, fileName: string): Promise<void> {
  await page.locator(`[data-testid="grid-cell"][data-file-name="${fileName}"]`).click();
  await page.keyboard.press('e');
  await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
  await settled(page);
  if ((await page.locator('[data-testid="tab-history"][aria-selected="true"]').count()) === 0) await page.click('[data-testid="tab-history"]');
}

async function sendPrompt(page: Page, text: string): Promise<void> {
  const input = page.locator('[data-testid="prompt-input"]');
  await input.click();
  await input.fill(text);
  await page.keyboard.press('Control+Enter');
}

/**
 * Layout faults of the identity badges inside `containers`: a badge sticking out of its container,
 * clipped text, or a badge overlapping another piece of the container (`others`).
 */
function badgeLayoutProblems(page: Page, containers: string, others: string): Promise<string[]> {
  return page.$$eval(
    containers,
    (boxes, others) =>
      boxes.flatMap((box) => {
        const r = box.getBoundingClientRect();
        const problems: string[] = [];
        for (const badge of box.querySelectorAll('[data-testid="identity-badge"]')) {
          const b = badge.getBoundingClientRect();
          const name = badge.textContent ?? '';
          if (b.width === 0 || b.height === 0) problems.push(`badge not shown: ${name}`);
          if (b.left < r.left - 0.5 || b.right > r.right + 0.5 || b.top < r.top - 0.5 || b.bottom > r.bottom + 0.5) problems.push(`badge outside its ${box.className}: ${name}`);
          if (badge.scrollWidth > badge.clientWidth + 1) problems.push(`badge text clipped: ${name}`);
          for (const other of box.querySelectorAll(others)) {
            if (other.contains(badge) || badge.contains(other)) continue;
            const o = other.getBoundingClientRect();
            const overlap = Math.min(b.right, o.right) - Math.max(b.left, o.left) > 0.5 && Math.min(b.bottom, o.bottom) - Math.max(b.top, o.top) > 0.5;
            if (overlap) problems.push(`badge overlaps ${other.className || other.tagName}: ${name}`);
          }
        }
        return problems;
      }),
    others,
  );
}

/** A Gemini answer of these images, in the real wire format. */
function answerWith(...images: Buffer[]) {
  return (_request: FakeRequest, res: ServerResponse) =>
    sendJson(res, 200, {
      candidates: [{ content: { role: 'model', parts: images.map((bytes) => ({ inlineData: { mimeType: 'image/png', data: bytes.toString('base64') } })) }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 1290 * images.length, totalTokenCount: 300 + 1290 * images.length },
      modelVersion: 'gemini-2.5-flash-image',
    });
}

const HISTORY_ROWS = ['[data-testid="history-row"]', '.history-label, .history-time, canvas'] as const;
const VARIANTS = ['[data-testid="variant-item"]', '.variant-picture, figcaption > span:not(.identity-badges), figcaption > button'] as const;

describe('the identity check in the browser host', () => {
  let fake: FakeGemini;
  let host: RunningHost;
  let browser: Browser;
  let libraryDir: string;
  let swapped: Buffer;

  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) throw new Error(missing);
    // Her photo with his face scaled over hers: the picture barely changes, the person does.
    swapped = await faceSwappedAstronaut();
    fake = await startFakeGemini({ apiKey: TEST_KEY });
    libraryDir = await makeLibraryDir();
    host = await startHost(libraryDir, { PROMPTROOM_LOCALE: 'en-US', GEMINI_API_KEY: TEST_KEY, GEMINI_BASE_URL: fake.baseUrl });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await fake?.close();
    if (libraryDir) await removeDir(libraryDir);
  });

  it('badges a local and a cloud edit live, keeps them over a reload, and says them in Chinese', async () => {
    const { page, context, problems } = await openPage(browser);
    // The host's server-sent events, as the page received them.
    await page.addInitScript(() => {
      const Original = window.EventSource;
      const seen: string[] = [];
      (window as unknown as { __sse: string[] }).__sse = seen;
      window.EventSource = class extends Original {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener('message', (event) => seen.push(String((event as MessageEvent).data)));
        }
      };
    });
    const checkedSteps = () =>
      page.evaluate(() =>
        (window as unknown as { __sse: string[] }).__sse.flatMap((data) => {
          try {
            const event = JSON.parse(data) as { type?: string; stepId?: string };
            return event.type === 'identity.checked' && event.stepId ? [event.stepId] : [];
          } catch {
            return [];
          }
        }),
      );
    try {
      await importFixtures(page, host, ['astronaut.png']);
      await openEditor(page, 'astronaut.png');
      // Set once on this document: still there means the badges came without a reload.
      await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
      const sameDocument = () => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
      const rowsBefore = new Set((await page.$$eval('[data-testid="history-row"]', (rows) => rows.map((row) => row.getAttribute('data-step-id')))).filter(Boolean));
      expect(await historyBadges(page)).toEqual([]);

      // (a) The local engine blurs the background: new pixels, the same face.
      await page.click('[data-testid="engine-local"]');
      expect(await page.getAttribute('[data-testid="prompt-bar"]', 'data-engine')).toBe('local');
      await sendPrompt(page, 'blur the background');
      let newRows: string[] = [];
      await expect
        .poll(
          async () => {
            newRows = (await page.$$eval('[data-testid="history-row"]', (rows) => rows.map((row) => row.getAttribute('data-step-id') ?? ''))).filter((id) => !rowsBefore.has(id));
            return newRows.length;
          },
          { timeout: 30_000 },
        )
        .toBeGreaterThan(0);
      await settled(page);
      await expect.poll(async () => (await historyBadges(page)).length, { timeout: 30_000 }).toBe(1);
      const local = (await historyBadges(page))[0]!;
      expect(newRows).toContain(local.stepId);
      expect(local.verdict).toBe('same');
      expect(local.distance).toBeGreaterThanOrEqual(0);
      expect(local.distance).toBeLessThan(0.6);
      expect(local.text).toBe(`Same person ${local.distance.toFixed(2)}`);
      expect(await sameDocument()).toBe(true);

      // (b) Gemini answers with another man's face on her: the identity changed.
      fake.enqueue(answerWith(swapped));
      await page.click('[data-testid="engine-gemini"]');
      expect(await page.getAttribute('[data-testid="prompt-bar"]', 'data-engine')).toBe('gemini');
      await sendPrompt(page, CLOUD_PROMPT);
      const cloudRow = await waitForLabel(page, `Gemini: “${CLOUD_PROMPT}”`, { timeout: 30_000, openHistoryTab: true });
      await settled(page);
      expect(fake.requests.filter((r) => r.action === 'generateContent')).toHaveLength(1);
      const cloud = await badgeOf(page, cloudRow.id, 30_000);
      expect(cloud.verdict).toBe('changed');
      expect(cloud.distance).toBeGreaterThanOrEqual(0.6);
      expect(cloud.text).toBe(`Identity changed ${cloud.distance.toFixed(2)}`);
      expect(await sameDocument()).toBe(true);

      // (c) Two results (two calls in parallel, so in either order), each checked against the
      // picture before the step, which shows his face now: one is him again, the other is her.
      // Choosing the second shows its check on the new step.
      if (await page.isChecked('[data-testid="continue-toggle"]')) await page.uncheck('[data-testid="continue-toggle"]');
      await page.click('[data-testid="variants-2"]');
      fake.enqueue(
        answerWith(await sharp(swapped).modulate({ brightness: 1.1 }).png().toBuffer()),
        answerWith(await sharp(path.join(fixturesDir, 'astronaut.png')).modulate({ brightness: 1.1 }).png().toBuffer()),
      );
      await sendPrompt(page, TWO_PROMPT);
      const twoRow = await waitForLabel(page, `Gemini: “${TWO_PROMPT}”`, { timeout: 30_000, openHistoryTab: true });
      await settled(page);
      expect(fake.requests.filter((r) => r.action === 'generateContent')).toHaveLength(3);
      const two = await badgeOf(page, twoRow.id, 30_000);
      const tray = page.locator('[data-testid="variants-tray"]');
      await tray.waitFor();
      const trayLayerId = await tray.getAttribute('data-layer-id');
      await expect.poll(() => trayBadges(page), { timeout: 30_000 }).toHaveLength(2);
      const variants = await trayBadges(page);
      expect(variants.map((badge) => badge.verdict).sort()).toEqual(['changed', 'same']);
      for (const badge of variants) {
        if (badge.verdict === 'same') expect(badge.distance).toBeLessThan(0.6);
        else expect(badge.distance).toBeGreaterThanOrEqual(0.6);
        expect(badge.text).toBe(`${badge.verdict === 'same' ? 'Same person' : 'Identity changed'} ${badge.distance.toFixed(2)}`);
      }
      // The step shows the result in use, the first.
      expect(await tray.locator('[data-testid="variant-item"]').first().getAttribute('data-in-use')).toBe('true');
      expect({ verdict: two.verdict, distance: two.distance }).toEqual({ verdict: variants[0]!.verdict, distance: variants[0]!.distance });
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="variant-item"] img')].every((img) => img.complete && img.naturalWidth > 0));
      await tray.screenshot({ path: path.join(resultsDir, 'identity-variants.png') });
      expect(await badgeLayoutProblems(page, ...VARIANTS)).toEqual([]);
      await tray.locator('[data-testid="variant-item"]').nth(1).locator('[data-testid="variant-use"]').click();
      const chooseRow = await waitForLabel(page, /^Choose result 2 on /, { timeout: 20_000, openHistoryTab: true });
      await settled(page);
      const chosen = await badgeOf(page, chooseRow.id, 20_000);
      expect({ verdict: chosen.verdict, distance: chosen.distance }).toEqual({ verdict: variants[1]!.verdict, distance: variants[1]!.distance });
      expect(await sameDocument()).toBe(true);

      const live = await historyBadges(page);
      expect(live.map((badge) => badge.stepId).sort()).toEqual([local.stepId, cloud.stepId, twoRow.id, chooseRow.id].sort());
      // The three steps with new pixels were announced by identity.checked; choosing a result makes none.
      expect((await checkedSteps()).sort()).toEqual([local.stepId, cloud.stepId, twoRow.id].sort());

      await page.waitForTimeout(200);
      await page.locator('[data-testid="history-panel"]').screenshot({ path: path.join(resultsDir, 'identity-history.png') });
      await page.screenshot({ path: path.join(resultsDir, 'identity-editor.png') });
      expect(await badgeLayoutProblems(page, ...HISTORY_ROWS)).toEqual([]);

      // After a reload the badges come from the stored checks, unchanged.
      await page.reload();
      await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
      await settled(page);
      expect(await sameDocument()).toBe(false);
      await waitForLabel(page, `Gemini: “${CLOUD_PROMPT}”`, { timeout: 10_000, openHistoryTab: true });
      await expect.poll(() => historyBadges(page)).toEqual(live);

      // Simplified Chinese, chosen in Settings.
      await page.click('[data-testid="editor-back"]');
      await page.click('[data-testid="nav-settings"]');
      await page.selectOption('[data-testid="settings-language"]', 'zh-CN');
      await page.waitForSelector('[data-testid="settings-view"][data-locale="zh-CN"]');
      await page.click('[data-testid="nav-library"]');
      await openEditor(page, 'astronaut.png');
      await page.waitForSelector('[data-testid="editor"][data-locale="zh-CN"]');
      await expect.poll(async () => (await historyBadges(page)).map((badge) => badge.text)).toEqual(live.map(inChinese));
      const title = await page.getAttribute(`[data-testid="history-row"][data-step-id="${cloud.stepId}"] [data-testid="identity-badge"]`, 'title');
      expect(title).toContain('低于 0.60 即为同一人');
      await page.locator(`[data-testid="layer-row"][data-layer-id="${trayLayerId}"]`).click();
      await expect.poll(async () => (await trayBadges(page)).map((badge) => badge.text)).toEqual(variants.map(inChinese));
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="variant-item"] img')].every((img) => img.complete && img.naturalWidth > 0));
      await page.locator('[data-testid="variants-tray"]').screenshot({ path: path.join(resultsDir, 'identity-variants-zh.png') });
      expect(await badgeLayoutProblems(page, ...VARIANTS)).toEqual([]);
      await page.waitForTimeout(200);
      await page.locator('[data-testid="history-panel"]').screenshot({ path: path.join(resultsDir, 'identity-history-zh.png') });
      expect(await badgeLayoutProblems(page, ...HISTORY_ROWS)).toEqual([]);

      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
