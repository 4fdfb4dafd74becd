/**
 * The editor in the browser host, driven through the real UI in Chromium: open chelsea.png,
 * add a brightness layer, paint a mask stroke with the mouse, undo, branch with a contrast layer,
 * reload and find the same history and head, then check parity: the editor's own full-resolution
 * flattening (window.__promptroomEditor.renderFull) against the PNG the main process exports,
 * at most 1 apart per channel. Also: a file dropped from disk onto the canvas becomes a layer
 * (and parity still holds through blend modes, opacity, a turn, straighten and a crop), a
 * cancelled slider drag, the before view, the export dialog, and the Chinese UI.
 */
import http from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  dropFromDisk,
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

interface ExportJob {
  state: string;
  files: { projectId: number; fileName: string; downloadId: string }[];
  failed: { reason: string }[];
}

const waitForLabel = (page: Page, label: string | RegExp) => waitForHistoryLabel(page, label, { timeout: 15_000 });

async function addAdjustment(page: Page, kind: string, param: string, value: number): Promise<void> {
  await page.click('[data-testid="add-adjustment"]');
  await page.click(`[data-testid="add-adjustment-${kind}"]`);
  await page.waitForSelector(`[data-testid="adjustment-panel"][data-kind="${kind}"]`);
  const field = page.locator(`[data-testid="param-${param}-number"]`);
  await field.click();
  await field.fill(String(value));
  await field.press('Enter');
}

/** The PNG export of a project through the API, downloaded over HTTP with the token, decoded to RGBA. */
async function exportedPixels(host: RunningHost, projectId: number): Promise<{ width: number; height: number; data: Buffer }> {
  const { jobId } = await callApi<{ jobId: string }>(host, 'export.start', {
    projectIds: [projectId],
    options: { format: 'png', keepExif: false, writeXmp: false },
  });
  let job = await callApi<ExportJob>(host, 'export.status', { jobId });
  for (let i = 0; job.state === 'running' && i < 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = await callApi<ExportJob>(host, 'export.status', { jobId });
  }
  expect(job.state, JSON.stringify(job.failed)).toBe('succeeded');
  const file = job.files[0]!;
  const bytes = await download(host, `/download/${file.downloadId}`);
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

function download(host: RunningHost, pathname: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port: host.port, path: pathname, headers: { host: `127.0.0.1:${host.port}`, 'x-promptroom-token': host.token } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${pathname}: ${response.statusCode}`))));
      },
    );
    request.on('error', reject);
  });
}

function maxDifference(a: Buffer, b: Buffer): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function expectParity(page: Page, host: RunningHost, projectId: number): Promise<void> {
  const [rendered, exported] = [await renderedPixels(page), await exportedPixels(host, projectId)];
  expect(rendered.broken).toEqual([]);
  expect([rendered.width, rendered.height]).toEqual([exported.width, exported.height]);
  expect(rendered.data.length).toBe(exported.data.length);
  expect(maxDifference(rendered.data, exported.data)).toBeLessThanOrEqual(1);
}

describe('the editor in the browser host', () => {
  let host: RunningHost;
  let browser: Browser;
  let libraryDir: string;

  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) throw new Error(missing);
    libraryDir = await makeLibraryDir();
    host = await startHost(libraryDir, { PROMPTROOM_LOCALE: 'en-US' });
    browser = await launchChromium();
    await mkdir(resultsDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (libraryDir) await removeDir(libraryDir);
  });

  it('edits with layers and a mask, branches the history, keeps it over a reload, and exports what it shows', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await importFixtures(page, host, ['chelsea.png']);
      const cell = page.locator('[data-testid="grid-cell"][data-file-name="chelsea.png"]');
      await cell.waitFor({ timeout: 10_000 });

      // Select and press E: the editor opens on a new project whose first step opens the photo.
      await cell.click();
      await page.keyboard.press('e');
      await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
      await settled(page);
      expect(page.url()).toMatch(/#\/edit\/\d+\/\d+$/);
      const opened = await waitForLabel(page, 'Open chelsea.png');
      expect(opened.head).toBe(true);
      expect(await page.locator('[data-testid="layer-row"]').count()).toBe(1);
      // The canvas shows the photo (not an empty stage).
      const shown = await page.locator('[data-testid="editor-canvas"] canvas').first().boundingBox();
      expect(shown?.width).toBeGreaterThan(100);
      await page.screenshot({ path: path.join(resultsDir, 'editor-open.png') });

      // A brightness layer: set up with the slider's number field, recorded as ONE step on Enter.
      await addAdjustment(page, 'brightness', 'amount', 30);
      await waitForLabel(page, 'Add Brightness +30');
      await settled(page);
      expect((await historyRows(page)).length).toBe(2);
      expect(await page.locator('[data-testid="layer-row"][data-layer-kind="adjustment"]').getAttribute('data-layer-name')).toBe('Brightness');

      // A mask, then one brush stroke dragged across the canvas with the mouse.
      await page.click('[data-testid="add-mask"]');
      const masked = await waitForLabel(page, 'Add mask to Brightness');
      await expect.poll(() => page.locator('[data-testid="editor-canvas"]').getAttribute('data-tool')).toBe('brush');
      await settled(page);
      const box = (await page.locator('[data-testid="editor-canvas"]').boundingBox())!;
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      await page.mouse.move(cx - 120, cy - 20);
      await page.mouse.down();
      for (let i = 1; i <= 12; i++) await page.mouse.move(cx - 120 + i * 20, cy - 20 + i * 4);
      await page.mouse.up();
      const stroke = await waitForLabel(page, 'Mask painted on Brightness');
      await settled(page);
      expect((await editorState(page)).head).toBe(stroke.id);
      await page.screenshot({ path: path.join(resultsDir, 'editor-mask.png') });

      // A stroke cancelled with Escape leaves no step.
      const before = (await historyRows(page)).length;
      await page.mouse.move(cx - 60, cy + 60);
      await page.mouse.down();
      for (let i = 1; i <= 5; i++) await page.mouse.move(cx - 60 + i * 15, cy + 60);
      await page.keyboard.press('Escape');
      await page.mouse.up();
      await settled(page);
      expect((await historyRows(page)).length).toBe(before);

      // Undo the stroke, then a different change: a new branch from the mask step.
      await page.keyboard.press('Control+z');
      await expect.poll(async () => (await editorState(page)).head).toBe(masked.id);
      await settled(page);
      await addAdjustment(page, 'contrast', 'amount', 20);
      const contrast = await waitForLabel(page, 'Add Contrast +20');
      await settled(page);

      const rows = await historyRows(page);
      expect(rows.map((row) => [row.label, row.depth])).toEqual([
        ['Open chelsea.png', 0],
        ['Add Brightness +30', 0],
        ['Add mask to Brightness', 0],
        ['Mask painted on Brightness', 1],
        ['Add Contrast +20', 0],
      ]);
      expect(rows.find((row) => row.head)?.id).toBe(contrast.id);
      expect(await page.getAttribute('[data-testid="history-panel"]', 'data-branches')).toBe('1');
      const state = await editorState(page);
      expect(state.steps).toBe(5);
      await page.screenshot({ path: path.join(resultsDir, 'editor-branch.png') });

      // The old branch stays reachable: jump to the stroke and back.
      await page.click(`[data-testid="history-row"][data-step-id="${stroke.id}"]`);
      await expect.poll(async () => (await editorState(page)).head).toBe(stroke.id);
      await settled(page);
      await page.click(`[data-testid="history-row"][data-step-id="${contrast.id}"]`);
      await expect.poll(async () => (await editorState(page)).head).toBe(contrast.id);
      await settled(page);

      // Reload: the same project, history and head come back.
      await page.reload();
      await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
      await settled(page);
      expect(await editorState(page)).toEqual(state);
      expect(await historyRows(page)).toEqual(rows);

      // Back to the library and in again: the most recent project opens, same head.
      await page.click('[data-testid="editor-back"]');
      await page.waitForSelector('[data-testid="library"]');
      await page.locator('[data-testid="grid-cell"][data-file-name="chelsea.png"]').click();
      await page.click('[data-testid="edit-button"]');
      await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
      await settled(page);
      expect((await editorState(page)).head).toBe(contrast.id);
      expect((await editorState(page)).projectId).toBe(state.projectId);

      // Parity: the editor's flattening at full resolution = the main process's export (±1).
      await expectParity(page, host, state.projectId!);

      // And the edit is real: the export differs from the photo as imported.
      const original = await sharp(path.join(fixturesDir, 'chelsea.png')).ensureAlpha().raw().toBuffer();
      expect(maxDifference((await renderedPixels(page)).data, original)).toBeGreaterThan(10);

      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('adds a file dropped on the canvas as a layer where it was dropped, still exporting what it shows', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await page.goto(host.url);
      await page.waitForSelector('[data-testid="grid-cell"][data-file-name="chelsea.png"]', { timeout: 20_000 });
      await page.locator('[data-testid="grid-cell"][data-file-name="chelsea.png"]').click();
      await page.keyboard.press('e');
      await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
      await settled(page);
      const stepsBefore = (await historyRows(page)).length;

      const box = (await page.locator('[data-testid="editor-canvas"]').boundingBox())!;
      await dropFromDisk(page, [path.join(fixturesDir, 'coffee.png')], { x: Math.round(box.x + box.width * 0.6), y: Math.round(box.y + box.height * 0.55) });
      await waitForLabel(page, 'Add layer coffee.png');
      await settled(page);
      expect((await historyRows(page)).length).toBe(stepsBefore + 1);
      expect(await page.locator('[data-testid="layer-row"][data-layer-name="coffee.png"]').count()).toBe(1);

      // Half transparent, multiplied: blend modes and opacity are in the parity too.
      await page.selectOption('[data-testid="layer-blend"]', 'multiply');
      await waitForLabel(page, 'Blend mode multiply on coffee.png');
      const opacity = page.locator('[data-testid="layer-opacity-number"]');
      await opacity.click();
      await opacity.fill('60');
      await opacity.press('Enter');
      await waitForLabel(page, 'Opacity 60% on coffee.png');
      await settled(page);
      await page.screenshot({ path: path.join(resultsDir, 'editor-drop.png') });

      // A slider drag previews live; Escape before the release records nothing.
      const steps = (await historyRows(page)).length;
      const range = (await page.locator('[data-testid="layer-opacity-range"]').boundingBox())!;
      await page.mouse.move(range.x + range.width * 0.6, range.y + range.height / 2);
      await page.mouse.down();
      await page.mouse.move(range.x + range.width * 0.2, range.y + range.height / 2, { steps: 6 });
      await expect.poll(() => page.getAttribute('[data-testid="editor"]', 'data-gesture')).toBe('setLayerProps');
      await page.keyboard.press('Escape');
      await page.mouse.up();
      await settled(page);
      expect((await historyRows(page)).length).toBe(steps);
      expect(await page.getAttribute('[data-testid="editor"]', 'data-gesture')).toBe('');
      expect(await page.inputValue('[data-testid="layer-opacity-number"]')).toBe('60');

      // Holding the backslash shows the original.
      await page.keyboard.down('Backslash');
      await page.waitForSelector('[data-testid="before-badge"]');
      await page.screenshot({ path: path.join(resultsDir, 'editor-before.png') });
      await page.keyboard.up('Backslash');
      await expect.poll(() => page.locator('[data-testid="before-badge"]').count()).toBe(0);

      // Geometry: a quarter turn, straighten, a 4:5 crop applied with Enter, one step each.
      await page.click('[data-testid="rotate-right"]');
      await waitForLabel(page, 'Rotate to 90°');
      const straighten = page.locator('[data-testid="straighten-number"]');
      await straighten.click();
      await straighten.fill('5');
      await straighten.press('Enter');
      await waitForLabel(page, 'Straighten +5.0°');
      await settled(page);
      await page.keyboard.press('c');
      await page.click('[data-testid="aspect-4:5"]');
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(resultsDir, 'editor-crop.png') });
      await page.keyboard.press('Enter');
      await waitForLabel(page, /^Crop to \d+×\d+$/);
      await settled(page);
      await page.screenshot({ path: path.join(resultsDir, 'editor-transformed.png') });

      const { projectId } = await editorState(page);
      await expectParity(page, host, projectId!);

      // The split before/after view.
      await page.click('[data-testid="split-toggle"]');
      await settled(page);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(resultsDir, 'editor-split.png') });
      await page.click('[data-testid="split-toggle"]');

      // The export dialog shows progress and offers the file for download.
      await page.click('[data-testid="export-open"]');
      await page.selectOption('[data-testid="export-format"]', 'png');
      await page.click('[data-testid="export-start"]');
      await page.waitForSelector('[data-testid="export-download"]', { timeout: 30_000 });
      expect(await page.getAttribute('[data-testid="export-progress"]', 'data-state')).toBe('succeeded');
      const href = await page.getAttribute('[data-testid="export-download"]', 'href');
      expect(href).toMatch(/^\/download\/[0-9a-f]{32}$/);
      // The page's own cookie fetches it.
      expect(await page.evaluate(async (url) => (await fetch(url!)).status, href)).toBe(200);
      await page.screenshot({ path: path.join(resultsDir, 'editor-export.png') });
      await page.click('[data-testid="export-close"]');

      // A photo dragged from the Photos tab onto the canvas becomes a layer too.
      await page.click('[data-testid="tab-photos"]');
      const strip = page.locator('[data-testid="strip-photo"]').first();
      await strip.waitFor();
      const stepsBeforeDrag = (await editorState(page)).steps;
      await strip.dragTo(page.locator('[data-testid="editor-canvas"]'), { targetPosition: { x: 300, y: 300 } });
      await expect.poll(async () => (await editorState(page)).steps).toBe(stepsBeforeDrag + 1);
      await settled(page);
      await page.click('[data-testid="tab-history"]');
      await waitForLabel(page, /^Add layer (coffee|chelsea)\.png$/);

      // An image pasted from the clipboard becomes a layer (uploaded, imported, placed in the middle).
      await page.evaluate(async () => {
        const canvas = document.createElement('canvas');
        canvas.width = 40;
        canvas.height = 30;
        const context = canvas.getContext('2d')!;
        context.fillStyle = '#3d86ff';
        context.fillRect(0, 0, 40, 30);
        const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
        const transfer = new DataTransfer();
        transfer.items.add(new File([blob], 'image.png', { type: 'image/png' }));
        document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true }));
      });
      await waitForLabel(page, /^Add layer Pasted .+\.png$/);
      await settled(page);

      // The library exports the selection's projects in one go; photos never edited are left out.
      await page.click('[data-testid="editor-back"]');
      await page.waitForSelector('[data-testid="library"]');
      await page.locator('[data-testid="grid-cell"][data-file-name="chelsea.png"]').click();
      await page.locator('[data-testid="grid-cell"][data-file-name="coffee.png"]').click({ modifiers: ['Control'] });
      await page.click('[data-testid="export-selection"]');
      await page.waitForSelector('[data-testid="export-dialog"]');
      expect(await page.locator('[data-testid="export-dialog"] .dialog-title').textContent()).toBe('Export 1 photo');
      await page.click('[data-testid="export-start"]');
      await expect.poll(() => page.locator('[data-testid="export-download"]').count(), { timeout: 30_000 }).toBe(1);
      await page.screenshot({ path: path.join(resultsDir, 'editor-library-export.png') });
      await page.click('[data-testid="export-close"]');
      await page.locator('[data-testid="grid-cell"][data-file-name="chelsea.png"]').click();
      await page.keyboard.press('e');
      await page.waitForSelector('[data-testid="editor"][data-state="ready"]', { timeout: 20_000 });
      await settled(page);

      // The Chinese UI.
      await callApi(host, 'settings.set', { locale: 'zh-CN' });
      await page.reload();
      await page.waitForSelector('[data-testid="editor"][data-state="ready"][data-locale="zh-CN"]', { timeout: 20_000 });
      await settled(page);
      expect(await page.locator('[data-testid="layers-panel"] .panel-title').first().textContent()).toBe('图层');
      // Step labels are worded in Chinese too (the stored English label stays in data-label).
      const chineseLabels = await page.$$eval('[data-testid="history-row"] .history-label', (labels) => labels.map((label) => label.textContent));
      expect(chineseLabels).toContain('添加亮度 +30');
      expect(chineseLabels).toContain('在 Brightness 的蒙版上涂抹');
      await page.locator('[data-testid="layer-row"][data-layer-kind="adjustment"]').first().click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(resultsDir, 'editor-zh.png') });
      await callApi(host, 'settings.set', { locale: 'en' });

      expect(seriousProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
