/**
 * Edits by words in the browser host, driven through the real UI in Chromium against the fake
 * Gemini server (the real SDK, pointed at it with GEMINI_BASE_URL): paint a region, type a
 * prompt, Ctrl+Enter; the job succeeds, a new AI layer and a "Gemini: “…”" step appear, pixels
 * outside the painted region stay bit-identical to the photo; undo, redo and reload. Then a
 * follow-up with two results and a swap, reference photos up to the model's limit, a blocked
 * prompt explained in words, the jobs panel, Settings saying only that a key is set (the key is
 * never in the page, nor in any answer the renderer receives), and the Chinese UI.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rasterizeMask } from '../../shared/document/render.js';
import { startFakeGemini, type FakeGemini } from '../fakes/gemini-server.js';
import {
  callApi,
  editorState,
  fixturesDir,
  historyRows,
  importFixtures,
  launchChromium,
  makeLibraryDir,
  missingPrerequisite,
  openPage,
  removeDir,
  renderedPixels,
  resultsDir,
  seriousProblems,
  settled,
  startHost,
  waitForLabel as waitForHistoryLabel,
  type RunningHost,
} from './harness.js';

/** Looks like a real key and is easy to find in a page or a body. */
const TEST_KEY = 'AIzaSyE2E-promptroom-test-key-7f3c9a1b';
const PHOTOS = ['chelsea.png', 'astronaut.png', 'camera.png', 'coffee.png', 'rocket.jpg'];

interface SentMask {
  strokes: { points: { x: number; y: number }[]; size: number; hardness: number; erase: boolean }[];
  feather: number;
  inverted: boolean;
}

/** The AI steps can take a while; the History tab may not be the one showing. */
const waitForLabel = (page: Page, label: string | RegExp) => waitForHistoryLabel(page, label, { timeout: 20_000, openHistoryTab: true });

/** Counts pixels outside the mask that differ from the original, and pixels well inside it that changed. */
function compareWithMask(rendered: Buffer, original: Buffer, mask: { data: Uint8ClampedArray }): { outside: number; outsideChanged: number; inside: number; insideChanged: number } {
  let outside = 0;
  let outsideChanged = 0;
  let inside = 0;
  let insideChanged = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const o = i * 4;
    const differs = rendered[o] !== original[o] || rendered[o + 1] !== original[o + 1] || rendered[o + 2] !== original[o + 2] || rendered[o + 3] !== original[o + 3];
    if (mask.data[i] === 0) {
      outside++;
      if (differs) outsideChanged++;
    } else if (mask.data[i]! >= 200) {
      inside++;
      if (differs) insideChanged++;
    }
  }
  return { outside, outsideChanged, inside, insideChanged };
}

async function openEditor(page: Page, fileName: string): Promise<void> {
  await page.locator(`[data-testid="grid-cell"][data-file-name="${fileName}"]`).click();
  await page.keyboard.press('e');
  await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
  await settled(page);
}

async function typePrompt(page: Page, text: string): Promise<void> {
  const input = page.locator('[data-testid="prompt-input"]');
  await input.click();
  await input.fill(text);
}

describe('edits by words in the browser host', () => {
  let fake: FakeGemini;
  let host: RunningHost;
  let browser: Browser;
  let libraryDir: string;

  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) throw new Error(missing);
    // The fake lives in this process; the host is a child started asynchronously, so both run.
    fake = await startFakeGemini({ apiKey: TEST_KEY });
    libraryDir = await makeLibraryDir();
    host = await startHost(libraryDir, {
      PROMPTROOM_LOCALE: 'en-US',
      GEMINI_API_KEY: TEST_KEY,
      GEMINI_BASE_URL: fake.baseUrl,
      // "Forget key" must never touch the real key file of whoever runs the tests.
      PROMPTROOM_KEY_FILE: path.join(libraryDir, 'gemini-api-key'),
    });
    browser = await launchChromium();
    await mkdir(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await fake?.close();
    if (libraryDir) await removeDir(libraryDir);
  });

  it('edits a painted region with Gemini as one step, keeps everything else bit-identical, and explains a refusal', async () => {
    const { page, context, problems } = await openPage(browser);
    // Every body the renderer receives, and every server-sent event, is searched for the key.
    const bodies: Promise<string>[] = [];
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (type.includes('text/event-stream')) return;
      bodies.push(response.text().catch(() => ''));
    });
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
    const submitted: { mask: SentMask | null; continueLayerId: string | null; variants: number }[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/call/edit.submit')) submitted.push(JSON.parse(request.postData() ?? '{}'));
    });

    try {
      await importFixtures(page, host, PHOTOS);
      await page.locator('[data-testid="grid-cell"][data-file-name="chelsea.png"]').waitFor({ timeout: 10_000 });
      await openEditor(page, 'chelsea.png');
      const original = await sharp(path.join(fixturesDir, 'chelsea.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });

      // The bar says Gemini will run and why, with the model, its price, the estimate and the month.
      const bar = page.locator('[data-testid="prompt-bar"]');
      await expect.poll(() => bar.getAttribute('data-engine')).toBe('gemini');
      expect(await bar.getAttribute('data-reason')).toBe('ready');
      expect(await page.textContent('[data-testid="engine-reason"]')).toBe('A key is set and you are online.');
      expect(await page.textContent('[data-testid="model-info"]')).toMatch(/^Gemini 2\.5 Flash Image · \$0\.039 per image$/);
      await expect.poll(() => page.locator('[data-testid="month-spend"]').textContent()).toBe('This month $0.00 (no budget cap)');

      // Paint the region: one stroke across the middle of the picture. It is not a step.
      const stepsBefore = (await editorState(page)).steps;
      await page.click('[data-testid="region-paint"]');
      await expect.poll(() => page.getAttribute('[data-testid="editor-canvas"]', 'data-tool')).toBe('brush');
      const box = (await page.locator('[data-testid="editor-canvas"]').boundingBox())!;
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      await page.mouse.move(cx - 60, cy - 10);
      await page.mouse.down();
      for (let i = 1; i <= 8; i++) await page.mouse.move(cx - 60 + i * 15, cy - 10 + i * 2);
      await page.mouse.up();
      await expect.poll(() => page.getAttribute('[data-testid="editor-canvas"]', 'data-region-strokes')).toBe('1');
      expect((await editorState(page)).steps).toBe(stepsBefore);
      await page.click('[data-testid="region-paint"]');
      await expect.poll(() => page.getAttribute('[data-testid="editor-canvas"]', 'data-tool')).toBe('none');
      expect(await page.textContent('[data-testid="region-chip"]')).toBe('Only the painted region changes');

      const prompt = 'make the cat’s fur electric blue';
      await typePrompt(page, prompt);
      await expect.poll(() => page.locator('[data-testid="estimate"]').textContent()).toBe('About $0.039');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(resultsDir, 'ai-prompt-bar.png') });

      // Ctrl+Enter sends; the job runs and lands as a new layer and a new step.
      await page.keyboard.press('Control+Enter');
      const aiStep = await waitForLabel(page, `Gemini: “${prompt}”`);
      await settled(page);
      expect(aiStep.head).toBe(true);
      expect(submitted).toHaveLength(1);
      const mask = submitted[0]!.mask!;
      expect(mask.strokes).toHaveLength(1);
      expect(mask.inverted).toBe(false);
      expect(fake.requests.filter((r) => r.action === 'generateContent')).toHaveLength(1);
      expect(await page.locator('[data-testid="layer-row"]').count()).toBe(2);
      expect(await page.locator('[data-testid="ai-chip"]').count()).toBe(1);
      expect(await page.locator('[data-testid="prompt-input"]').inputValue()).toBe('');

      // The AI layer tells what made it, what it cost, and about SynthID.
      await expect.poll(() => page.locator('[data-testid="ai-details"]').count()).toBe(1);
      expect(await page.textContent('[data-testid="ai-details-provider"]')).toBe('Gemini');
      expect(await page.textContent('[data-testid="ai-details-model"]')).toBe('gemini-2.5-flash-image');
      expect(await page.textContent('[data-testid="ai-details-prompt"]')).toBe(`“${prompt}”`);
      expect(await page.textContent('[data-testid="ai-details-cost"]')).toMatch(/^\$0\.0\d\d$/);
      expect(await page.textContent('[data-testid="synthid-note"]')).toContain('SynthID');
      await page.screenshot({ path: path.join(resultsDir, 'ai-edit-done.png') });

      // Pixels outside the painted region are exactly the photo's; inside, the picture changed.
      const region = rasterizeMask({ strokes: mask.strokes, feather: mask.feather, inverted: mask.inverted }, original.info.width, original.info.height, 1);
      let rendered = await renderedPixels(page);
      expect(rendered.broken).toEqual([]);
      expect([rendered.width, rendered.height]).toEqual([original.info.width, original.info.height]);
      let compared = compareWithMask(rendered.data, original.data, region);
      expect(compared.outside).toBeGreaterThan(original.info.width * original.info.height * 0.5);
      expect(compared.outsideChanged).toBe(0);
      expect(compared.inside).toBeGreaterThan(100);
      expect(compared.insideChanged).toBeGreaterThan(compared.inside * 0.9);

      // Undo: back to the photo as it was. Redo: the edit again. (Escape leaves the prompt field,
      // where Ctrl+Z would undo typing instead.)
      await page.keyboard.press('Escape');
      expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('TEXTAREA');
      await page.keyboard.press('Control+z');
      await expect.poll(async () => (await editorState(page)).head).not.toBe(aiStep.id);
      await settled(page);
      expect(await page.locator('[data-testid="layer-row"]').count()).toBe(1);
      rendered = await renderedPixels(page);
      expect(compareWithMask(rendered.data, original.data, region).insideChanged).toBe(0);
      await page.keyboard.press('Control+Shift+z');
      await expect.poll(async () => (await editorState(page)).head).toBe(aiStep.id);
      await settled(page);
      expect(await page.locator('[data-testid="layer-row"]').count()).toBe(2);

      // Reload: the step is still there, at the head, and so are the pixels.
      const state = await editorState(page);
      await page.reload();
      await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
      await settled(page);
      expect(await editorState(page)).toEqual(state);
      expect((await waitForLabel(page, `Gemini: “${prompt}”`)).head).toBe(true);
      rendered = await renderedPixels(page);
      compared = compareWithMask(rendered.data, original.data, region);
      expect(compared.outsideChanged).toBe(0);
      expect(compared.insideChanged).toBeGreaterThan(compared.inside * 0.9);

      // References: photos dragged from the Photos tab become chips, up to the model's limit of 3.
      await page.click('[data-testid="tab-photos"]');
      const strip = page.locator('[data-testid="strip-photo"]');
      await expect.poll(() => strip.count()).toBe(5);
      const others = page.locator('[data-testid="strip-photo"]:not([title="chelsea.png"])');
      for (let i = 0; i < 4; i++) await others.nth(i).dragTo(bar);
      await expect.poll(() => page.locator('[data-testid="ref-chip"]').count()).toBe(3);
      expect(await page.textContent('[data-testid="ref-limit-message"]')).toBe('Gemini 2.5 Flash Image takes at most 3 reference images.');
      await page.locator('[data-testid="ref-style"]').nth(1).click();
      expect(await page.locator('[data-testid="ref-chip"][data-style="true"]').count()).toBe(1);
      await expect.poll(() => page.locator('[data-testid="estimate"]').textContent()).toBe('About $0.040');
      await page.screenshot({ path: path.join(resultsDir, 'ai-references.png') });
      while ((await page.locator('[data-testid="ref-remove"]').count()) > 0) await page.locator('[data-testid="ref-remove"]').first().click();
      await expect.poll(() => page.locator('[data-testid="estimate"]').textContent()).toBe('About $0.039');
      await page.click('[data-testid="tab-history"]');

      // A follow-up on the AI layer continues its conversation and asks for two results. (The
      // painted region, like a selection, did not outlive the reload: this edit is the whole picture.)
      expect(await page.locator('[data-testid="region-chip"]').count()).toBe(0);
      const aiRow = page.locator('[data-testid="layer-row"]:has([data-testid="ai-chip"])').first();
      const continuedId = await aiRow.getAttribute('data-layer-id');
      await aiRow.click();
      expect(await page.isChecked('[data-testid="continue-toggle"]')).toBe(true);
      fake.use('two-images');
      await page.click('[data-testid="variants-2"]');
      await expect.poll(() => page.locator('[data-testid="estimate"]').textContent()).toBe('About $0.078');
      await typePrompt(page, 'now make it evening');
      await page.click('[data-testid="prompt-send"]');
      await waitForLabel(page, 'Gemini: “now make it evening”');
      await settled(page);
      const followUp = submitted[1]!;
      expect(followUp.continueLayerId).toBe(continuedId);
      expect(followUp.variants).toBe(2);
      // The model saw the earlier turn: its prompt and its picture.
      const lastCall = fake.requests.filter((r) => r.action === 'generateContent').at(-1)!;
      expect(lastCall.contents.length).toBeGreaterThan(1);
      expect(JSON.stringify(lastCall.contents[0])).toContain('electric blue');

      // The two results side by side; "Use this" swaps in the other one as its own step.
      const tray = page.locator('[data-testid="variants-tray"]');
      await tray.waitFor();
      expect(await tray.locator('[data-testid="variant-item"]').count()).toBe(2);
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="variant-item"] img')].every((img) => img.complete && img.naturalWidth > 0));
      await page.screenshot({ path: path.join(resultsDir, 'ai-variants.png') });
      const second = tray.locator('[data-testid="variant-item"]').nth(1);
      const secondSha = await second.getAttribute('data-sha');
      await second.locator('[data-testid="variant-use"]').click();
      await waitForLabel(page, /^Choose result 2 on /);
      await settled(page);
      expect(await page.getAttribute(`[data-testid="variant-item"][data-sha="${secondSha}"]`, 'data-in-use')).toBe('true');

      // A blocked prompt: the job fails and says why in words.
      fake.use('blocked');
      await page.click('[data-testid="variants-1"]');
      await page.uncheck('[data-testid="continue-toggle"]');
      await typePrompt(page, 'something the model will refuse');
      await page.keyboard.press('Control+Enter');
      const refusal = page.locator('[data-testid="prompt-refusal"]');
      await refusal.waitFor({ timeout: 20_000 });
      expect(await refusal.getAttribute('data-error-kind')).toBe('blocked');
      expect(await refusal.textContent()).toContain('Gemini refused this prompt. Say it differently and try again.');
      await page.screenshot({ path: path.join(resultsDir, 'ai-refusal.png') });

      // The jobs panel: every job with its state, cost and the refusal explained.
      await page.click('[data-testid="tab-jobs"]');
      const rows = page.locator('[data-testid="job-row"]');
      await expect.poll(() => rows.count()).toBe(3);
      expect(await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-state')))).toEqual(['failed', 'succeeded', 'succeeded']);
      expect(await rows.first().locator('[data-testid="job-explanation"]').textContent()).toContain('Gemini refused this prompt');
      expect(await rows.nth(2).locator('[data-testid="job-cost"]').textContent()).toMatch(/^\$0\.0\d\d$/);
      await page.screenshot({ path: path.join(resultsDir, 'ai-jobs.png') });
      fake.use('image');

      // Settings say a key is set, never which; the upload log lists what went out.
      await page.click('[data-testid="editor-back"]');
      await page.click('[data-testid="nav-settings"]');
      await page.waitForSelector('[data-testid="settings-view"]');
      await expect.poll(() => page.getAttribute('[data-testid="key-status"]', 'data-set')).toBe('true');
      expect(await page.textContent('[data-testid="key-status"]')).toBe('✓ A key is set.');
      await expect.poll(() => page.locator('[data-testid="upload-row"]').count()).toBe(3);
      await expect.poll(() => page.textContent('[data-testid="spend-month"]')).toMatch(/^This month \$0\.\d+ \(no budget cap\)$/);
      expect(await page.content()).not.toContain(TEST_KEY);
      await page.screenshot({ path: path.join(resultsDir, 'ai-settings.png'), fullPage: true });

      // A budget set in Settings shows in the prompt bar.
      await page.fill('[data-testid="budget-input"]', '5');
      await page.press('[data-testid="budget-input"]', 'Enter');
      await expect.poll(async () => (await callApi<{ monthlyBudgetUsd: number | null }>(host, 'settings.get', {})).monthlyBudgetUsd).toBe(5);

      // Chinese: the settings, the prompt bar, the jobs.
      await page.selectOption('[data-testid="settings-language"]', 'zh-CN');
      await page.waitForSelector('[data-testid="settings-view"][data-locale="zh-CN"]');
      expect(await page.textContent('[data-testid="key-status"]')).toBe('✓ 已设置密钥。');
      await page.screenshot({ path: path.join(resultsDir, 'ai-settings-zh.png'), fullPage: true });
      await page.click('[data-testid="nav-library"]');
      await openEditor(page, 'chelsea.png');
      await expect.poll(() => page.locator('[data-testid="month-spend"]').textContent()).toMatch(/^本月已用 \$0\.\d+，预算 \$5\.00$/);
      expect(await page.textContent('[data-testid="engine-reason"]')).toBe('已设置密钥，且已联网。');
      await typePrompt(page, '把天空换成晚霞');
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(resultsDir, 'ai-prompt-bar-zh.png') });
      await page.click('[data-testid="tab-jobs"]');
      await expect.poll(() => page.locator('[data-testid="job-row"]').count()).toBe(3);
      expect(await page.locator('[data-testid="job-row"]').first().locator('[data-testid="job-explanation"]').textContent()).toContain('Gemini 拒绝了这条提示词');
      await page.screenshot({ path: path.join(resultsDir, 'ai-jobs-zh.png') });
      await callApi(host, 'settings.set', { locale: 'en', monthlyBudgetUsd: null });

      // Not once did the key reach the window.
      const received = await Promise.all(bodies);
      expect(received.length).toBeGreaterThan(20);
      expect(received.filter((body) => body.includes(TEST_KEY))).toEqual([]);
      const events = await page.evaluate(() => (window as unknown as { __sse: string[] }).__sse);
      expect(events.some((event) => event.includes('edit.progress'))).toBe(true);
      expect(events.filter((event) => event.includes(TEST_KEY))).toEqual([]);
      expect(fake.requests.every((request) => request.apiKeySent)).toBe(true);

      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('honours “never upload”, runs the local engine when chosen, and keeps characters for @Name', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await page.goto(host.url);
      const cell = page.locator('[data-testid="grid-cell"][data-file-name="coffee.png"]');
      await cell.waitFor({ timeout: 20_000 });

      // The library's info panel marks a photo "never upload": the editor then defaults to Local.
      await cell.click();
      const toggle = page.locator('[data-testid="never-upload-toggle"]');
      await expect.poll(() => toggle.isEnabled()).toBe(true);
      await toggle.check();
      const photoId = Number(await cell.getAttribute('data-photo-id'));
      await expect.poll(async () => (await callApi<{ neverUpload: boolean }>(host, 'photos.get', { id: photoId })).neverUpload).toBe(true);
      await page.screenshot({ path: path.join(resultsDir, 'ai-never-upload.png') });
      await openEditor(page, 'coffee.png');
      const bar = page.locator('[data-testid="prompt-bar"]');
      await expect.poll(() => bar.getAttribute('data-reason')).toBe('never-upload');
      expect(await bar.getAttribute('data-engine')).toBe('local');

      // The local engine either applies the instruction or says plainly why it can't.
      await typePrompt(page, 'add a dragon in the sky');
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(async () => (await page.locator('[data-testid="local-refusal"]').count()) + (await page.locator('[data-testid="prompt-notice"]').count()), { timeout: 20_000 })
        .toBe(1);
      await page.screenshot({ path: path.join(resultsDir, 'ai-local.png') });

      // Gemini chosen by hand for a never-upload photo: the main process refuses, in words.
      await page.click('[data-testid="engine-gemini"]');
      expect(await bar.getAttribute('data-engine')).toBe('gemini');
      await typePrompt(page, 'make it a watercolour');
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => page.locator('[data-testid="prompt-notice"]').textContent()).toContain('never upload');
      await page.click('[data-testid="editor-back"]');
      await page.locator('[data-testid="grid-cell"][data-file-name="coffee.png"]').click();
      await page.locator('[data-testid="never-upload-toggle"]').uncheck();
      await expect.poll(async () => (await callApi<{ neverUpload: boolean }>(host, 'photos.get', { id: photoId })).neverUpload).toBe(false);

      // Characters: create one, add photos by dragging and by clicking, rename it.
      await page.click('[data-testid="nav-characters"]');
      await page.waitForSelector('[data-testid="characters-view"]');
      await page.fill('[data-testid="character-name-input"]', 'Milo');
      await page.click('[data-testid="character-create"]');
      const card = page.locator('[data-testid="character-card"][data-name="Milo"]');
      await card.waitFor();
      await page.locator('[data-testid="character-pick"]').first().dragTo(card);
      await expect.poll(() => card.getAttribute('data-photo-count')).toBe('1');
      await page.locator('[data-testid="character-pick"]').nth(1).click();
      await expect.poll(() => card.getAttribute('data-photo-count')).toBe('2');
      await page.fill('[data-testid="character-name-input"]', 'two words');
      await page.click('[data-testid="character-create"]');
      expect(await page.textContent('[data-testid="character-name-error"]')).toContain('one word');
      await page.screenshot({ path: path.join(resultsDir, 'ai-characters.png') });

      // @Mi in the prompt offers @Milo; choosing it shows what it attaches. A budget of one cent
      // is shown as a warning, and the host refuses the edit before anything is sent.
      await callApi(host, 'settings.set', { monthlyBudgetUsd: 0.01 });
      await page.click('[data-testid="nav-library"]');
      await openEditor(page, 'chelsea.png');
      const input = page.locator('[data-testid="prompt-input"]');
      await input.click();
      await input.fill('');
      await input.pressSequentially('put @Mi');
      await page.waitForSelector('[data-testid="mention-option"][data-name="Milo"]');
      await page.screenshot({ path: path.join(resultsDir, 'ai-mention.png') });
      await input.press('Enter');
      expect(await input.inputValue()).toBe('put @Milo ');
      expect(await page.textContent('[data-testid="mention-chip"][data-name="Milo"]')).toBe('@Milo2 photos');
      await expect.poll(() => page.locator('[data-testid="over-budget"]').count()).toBe(1);
      expect(await page.textContent('[data-testid="over-budget"]')).toBe('This edit would pass the monthly budget of $0.01. Raise it in Settings to send it.');
      const callsBefore = fake.requests.length;
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => page.locator('[data-testid="prompt-notice"]').textContent()).toContain('would pass the monthly budget of $0.01');
      expect(fake.requests.length).toBe(callsBefore);
      await page.screenshot({ path: path.join(resultsDir, 'ai-budget.png') });
      await callApi(host, 'settings.set', { monthlyBudgetUsd: null });

      // The local engine's refusal (stubbed here, so the flow is tested whatever the engine can do
      // today) offers the queue for Gemini, which runs the same prompt in the cloud.
      await page.route('**/api/call/local.apply', (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            ok: true,
            value: { stepIds: [], refused: { reason: 'The local engine can’t add objects; send it to Gemini?', reasonZh: '本地引擎无法添加物体；交给 Gemini 吗？', cloudable: true } },
          }),
        }),
      );
      await page.click('[data-testid="engine-local"]');
      expect(await page.getAttribute('[data-testid="prompt-bar"]', 'data-reason')).toBe('chosen');
      await typePrompt(page, 'add a red kite in the sky');
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('[data-testid="local-refusal"]');
      expect(await page.textContent('[data-testid="local-refusal-reason"]')).toBe('The local engine can’t add objects; send it to Gemini?');
      await page.screenshot({ path: path.join(resultsDir, 'ai-local-refusal.png') });
      await page.click('[data-testid="queue-for-gemini"]');
      await waitForLabel(page, 'Gemini: “add a red kite in the sky”');
      await page.unroute('**/api/call/local.apply');

      // A running job shows a moving bar and can be cancelled; the request is aborted.
      fake.use({ name: 'slow', delayMs: 15_000 });
      await page.click('[data-testid="engine-auto"]');
      expect(await page.getAttribute('[data-testid="prompt-bar"]', 'data-engine')).toBe('gemini');
      await typePrompt(page, 'a slow one');
      await page.keyboard.press('Control+Enter');
      const running = page.locator('[data-testid="active-job"][data-state="running"]');
      await running.waitFor({ timeout: 10_000 });
      expect(await running.locator('.indeterminate').count()).toBe(1);
      expect(await page.textContent('[data-testid="jobs-active-count"]')).toBe('1');
      await page.screenshot({ path: path.join(resultsDir, 'ai-running.png') });
      await running.locator('[data-testid="job-cancel"]').click();
      await expect.poll(() => page.locator('[data-testid="active-job"]').count()).toBe(0);
      await page.click('[data-testid="tab-jobs"]');
      expect(await page.locator('[data-testid="job-row"]').first().getAttribute('data-state')).toBe('cancelled');
      fake.use('image');

      // Never pay twice: the same edit on the same picture comes from the cache, unless a fresh
      // variant is asked for.
      const generateCalls = () => fake.requests.filter((r) => r.action === 'generateContent').length;
      async function repeatKite(fresh: boolean): Promise<void> {
        await page.click('[data-testid="tab-history"]');
        await page.locator('[data-testid="prompt-input"]').focus();
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+z');
        await expect.poll(async () => (await historyRows(page)).find((row) => row.head)?.label).toMatch(/^Choose result 2 on /);
        await settled(page);
        if (await page.locator('[data-testid="continue-toggle"]').isChecked()) await page.uncheck('[data-testid="continue-toggle"]');
        if (fresh) await page.check('[data-testid="fresh-toggle"]');
        await page.click('[data-testid="tab-jobs"]');
        const jobsBefore = await page.locator('[data-testid="job-row"]').count();
        await typePrompt(page, 'add a red kite in the sky');
        await page.keyboard.press('Control+Enter');
        await expect.poll(() => page.locator('[data-testid="job-row"]').count()).toBe(jobsBefore + 1);
        await expect.poll(() => page.locator('[data-testid="job-row"]').first().getAttribute('data-state'), { timeout: 20_000 }).toBe('succeeded');
        await settled(page);
      }
      await page.click('[data-testid="tab-jobs"]');
      let calls = generateCalls();
      await repeatKite(false);
      expect(generateCalls()).toBe(calls);
      expect(await page.locator('[data-testid="job-row"]').first().locator('[data-testid="job-cost"]').textContent()).toBe('from the cache, free');
      calls = generateCalls();
      await repeatKite(true);
      expect(generateCalls()).toBe(calls + 1);
      expect(await page.locator('[data-testid="job-row"]').first().locator('[data-testid="job-cost"]').textContent()).toMatch(/^\$0\.0\d\d$/);
      expect(await page.isChecked('[data-testid="fresh-toggle"]')).toBe(false);

      // Refusals answer with an error status (400 never-upload, 501 while the local engine is not
      // wired in); the browser logs those loads. Anything else is a real problem.
      const expected = /^http (400|501): POST \/api\/call\/(local\.apply|edit\.submit)$|Failed to load resource: the server responded with a status of (400|501)/;
      expect(seriousProblems(problems).filter((line) => !expected.test(line))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
