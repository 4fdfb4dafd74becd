/**
 * AI edit figures (issue 4), from edit-child.ts: bytes uploaded per edit against the original's
 * size, time from the answer's arrival to the layer committed (unmasked and masked), and the
 * repeated edit served from the cache.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, log, median, ms, runChild, type Reporter } from './common.js';
import type { EditChildResult, EditFigure } from './edit-child.js';

export const ANSWER_TO_COMMIT_TARGET_MS = 300;
const RUNS = Math.max(1, Number(process.env.BENCH_EDIT_RUNS) || 3);

export async function benchEdit(report: Reporter): Promise<unknown> {
  const photos = (await runChild<{ files: string[] }>('generate-child.js', ['1'], { inheritStderr: true })).result;
  const file = photos.files[0]!;
  log(`E4. AI edits on ${path.basename(file)} against a fake Gemini on 127.0.0.1: ${RUNS} unmasked, ${RUNS} masked, ${RUNS} repeated`);
  const libraryDir = await fs.mkdtemp(path.join(os.tmpdir(), 'promptroom-bench-edit-'));
  let result: EditChildResult;
  let others = '-';
  try {
    const run = await runChild<EditChildResult>('edit-child.js', [file, libraryDir, String(RUNS)]);
    result = run.result;
    if (run.machineBusyMs !== null) others = `${fmt(Math.max(0, run.machineBusyMs - run.result.userCpuMs - run.result.systemCpuMs) / run.wallMs, 2)} cores`;
  } finally {
    await fs.rm(libraryDir, { recursive: true, force: true });
  }
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const byKind = (kind: EditFigure['kind']) => result.edits.filter((e) => e.kind === kind);
  const failed = result.edits.filter((e) => e.state !== 'succeeded');
  const values = (list: EditFigure[], pick: (e: EditFigure) => number | null) => list.map(pick).filter((v): v is number => v !== null);

  const rows = (['unmasked', 'masked', 'cached'] as const).map((kind) => {
    const list = byKind(kind);
    const uploads = list.filter((e) => e.upload);
    const body = values(uploads, (e) => e.upload!.bodyBytes);
    const image = uploads[0]?.upload?.images[0];
    const a2c = values(list, (e) => e.answerToCommitMs);
    const region = list[0]?.region;
    return [
      kind === 'cached' ? 'repeated (cache)' : kind,
      region ? `${region.width}×${region.height}` : '-',
      String(list.reduce((n, e) => n + e.calls, 0)),
      body.length ? kb(median(body)) : '-',
      image ? `${image.width}×${image.height} ${image.format}, ${kb(image.bytes)}` : '-',
      body.length ? `${fmt((100 * median(body)) / result.originalBytes, 0)}%` : '-',
      ms(median(values(list, (e) => e.prepareMs))),
      a2c.length ? `${ms(median(a2c))} / ${ms(Math.max(...a2c))}` : '-',
      ms(median(values(list, (e) => e.submitToDoneMs))),
    ];
  });
  report.table(
    `E4. AI edits on a ${result.width}×${result.height} JPEG (${(result.originalBytes / 1024 ** 2).toFixed(1)} MB) via the job queue and the real SDK, fake Gemini on 127.0.0.1, ${RUNS} of each`,
    ['edit', 'region', 'calls', 'request body', 'image sent', 'body / original', 'submit → request ms', 'answer → committed ms (p50 / max)', 'submit → done ms'],
    rows,
  );
  console.log(
    `  (answer → committed: the fake's last answer byte handed to the socket → the job's 'succeeded' event, which the queue sends from the commit's transaction; ` +
      `submit → request: rendering the composite, the mask, crop, resize and PNG before the upload; child peak RSS ${fmt(result.peakRssKB / 1024, 0)} MB; others' CPU meanwhile ${others} of ${os.cpus().length})`,
  );
  if (failed.length) console.log(`  warning: ${failed.length} edits did not succeed: ${JSON.stringify(failed.map((e) => [e.kind, e.state, e.error]))}`);

  const stepKinds = Object.keys(result.steps) as (keyof EditChildResult['steps'])[];
  const names = [...new Set(stepKinds.flatMap((kind) => Object.keys(result.steps[kind])))];
  const inWindow = names.filter((name) => !name.startsWith(' ') && !name.startsWith('before'));
  const cell = (kind: keyof EditChildResult['steps'], name: string) => ms(result.steps[kind][name]);
  report.table(
    `E4b. Where "answer → committed" goes: the queue's steps re-enacted once on the same answer ("as run": putRgba = PNG encode + sha256 + write + fsync, timed inside the real job), ms`,
    ['step', ...stepKinds.map((kind) => `${kind} (${result.sizes[kind]?.answer ?? '?'} → ${result.sizes[kind]?.region ?? '?'})`)],
    [
      ...inWindow.map((name) => [name, ...stepKinds.map((kind) => cell(kind, name))]),
      ...names.filter((name) => name.startsWith(' ')).map((name) => [name, ...stepKinds.map((kind) => cell(kind, name))]),
      ['sum of the steps above', ...stepKinds.map((kind) => ms(inWindow.reduce((total, name) => total + (result.steps[kind][name] ?? 0), 0)))],
      ['measured: answer → committed (p50 of the real jobs)', ...stepKinds.map((kind) => ms(median(values(byKind(kind), (e) => e.answerToCommitMs)))) ],
      [
        'what-if: the stored answer is the layer (no upscale/composite/PNG of the region): answer + storeRaw rows',
        ...stepKinds.map((kind) => ms(inWindow.filter((name) => name.startsWith('answer') || name.startsWith('storeRaw')).reduce((total, name) => total + (result.steps[kind][name] ?? 0), 0))),
      ],
      ['the layer\'s PNG', ...stepKinds.map((kind) => (result.sizes[kind] ? kb(result.sizes[kind].layerPngBytes) : '-'))],
      ...names.filter((name) => name.startsWith('before')).map((name) => [name, ...stepKinds.map((kind) => cell(kind, name))]),
    ],
  );

  for (const kind of ['unmasked', 'masked'] as const) {
    const list = byKind(kind);
    const uploads = list.filter((e) => e.upload);
    const images = uploads.flatMap((e) => e.upload!.images);
    const body = median(values(uploads, (e) => e.upload!.bodyBytes));
    const workingOnly = images.length === uploads.length && images.every((i) => Math.max(i.width, i.height) <= result.workingEdge) && body < result.originalBytes;
    const image = images[0];
    report.row(
      `AI edit: upload per edit, ${kind}`,
      `${kb(body)} (${image ? `${image.width}×${image.height} ${image.format}` : 'no image'}) vs original ${kb(result.originalBytes)}`,
      `working size only (≤ ${result.workingEdge} px)`,
      workingOnly,
    );
    const a2c = values(list, (e) => e.answerToCommitMs);
    report.row(
      `AI edit: answer → layer committed, ${kind} (p50)`,
      `p50 ${ms(median(a2c))} / max ${ms(Math.max(...a2c))} ms`,
      `< ${ANSWER_TO_COMMIT_TARGET_MS} ms`,
      median(a2c) < ANSWER_TO_COMMIT_TARGET_MS,
    );
  }
  const cached = byKind('cached');
  const cachedCalls = cached.reduce((n, e) => n + e.calls, 0);
  report.row(
    'AI edit: repeated edit (cache), calls made',
    `${cachedCalls} calls for ${cached.length} edits, $${fmt(cached.reduce((n, e) => n + e.costUsd, 0), 4)}; submit → done ${ms(median(values(cached, (e) => e.submitToDoneMs)))} ms`,
    '0 calls',
    cachedCalls === 0 && cached.every((e) => e.state === 'succeeded'),
  );
  return { runs: RUNS, targetAnswerToCommitMs: ANSWER_TO_COMMIT_TARGET_MS, ...result };
}
