/**
 * The import flow: (browser) upload each file to the host's staging area, then start an import
 * job and follow it through `import.progress` events, polling `import.status` as a safety net,
 * until it ends; then show what happened to every file.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImportJob, ImportSummary } from '../../shared/contract/api.js';
import type { Client, HostBridge } from '../../shared/contract/bridge.js';
import { errorMessage } from '../app/context.js';
import type { CollectedFiles, PickedFile } from './collectFiles.js';

export type ImportProgress =
  | { phase: 'idle' }
  | { phase: 'collecting'; found: number }
  | { phase: 'uploading'; done: number; total: number }
  | { phase: 'starting' }
  | { phase: 'importing'; done: number; total: number }
  | { phase: 'finished'; outcome: 'succeeded' | 'failed' | 'cancelled'; summary: ImportSummary; message?: string };

export interface Importer {
  progress: ImportProgress;
  busy: boolean;
  /** Browser host: files from a drop or a file input, still being collected or ready. */
  importFiles(files: Promise<CollectedFiles> | CollectedFiles): void;
  /** Electron host: files and folders on disk. */
  importPaths(paths: string[]): void;
  /** Shows the count of files found while a dropped folder is being walked. */
  reportCollecting(found: number): void;
  cancel(): void;
  dismiss(): void;
}

const UPLOAD_CONCURRENCY = 4;
const POLL_MS = 1000;
/** After this many failed status polls in a row the job is treated as lost. */
const MAX_POLL_FAILURES = 8;
/** import.start takes at most this many entries; bigger imports run as several jobs. */
const MAX_PER_JOB = 100_000;

type Entry = { paths: string[] } | { staged: Array<{ stagedId: string; name: string }> };

export function useImporter(options: {
  bridge: HostBridge;
  client: Client;
  onFinished: () => void;
  busyMessage: () => string;
  uploadFailedReason: (reason: string) => string;
  onBusy: (message: string) => void;
}): Importer {
  const [progress, setProgress] = useState<ImportProgress>({ phase: 'idle' });
  const run = useRef<{ cancelled: boolean; jobId: string | null } | null>(null);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });

  const busy = progress.phase !== 'idle' && progress.phase !== 'finished';

  const begin = useCallback((): { cancelled: boolean; jobId: string | null } | null => {
    if (run.current) {
      latest.current.onBusy(latest.current.busyMessage());
      return null;
    }
    const current = { cancelled: false, jobId: null as string | null };
    run.current = current;
    return current;
  }, []);

  const execute = useCallback(
    async (current: { cancelled: boolean; jobId: string | null }, work: () => Promise<{ entries: Entry[]; failed: ImportSummary['failed'] }>) => {
      const { bridge, client } = latest.current;
      const summary: ImportSummary = { imported: 0, duplicates: 0, failed: [] };
      let outcome: 'succeeded' | 'failed' | 'cancelled' = 'succeeded';
      let message: string | undefined;
      try {
        const { entries, failed } = await work();
        summary.failed.push(...failed);
        const total = entries.reduce((sum, entry) => sum + ('paths' in entry ? entry.paths.length : entry.staged.length), 0);
        let before = 0;
        for (const entry of entries) {
          if (current.cancelled) break;
          setProgress({ phase: 'starting' });
          const { jobId } = await client.call('import.start', entry);
          current.jobId = jobId;
          const job = await followJob(bridge, client, jobId, (job) => {
            setProgress({ phase: 'importing', done: before + job.done, total: Math.max(total, before + job.total) });
          });
          current.jobId = null;
          summary.imported += job.summary.imported;
          summary.duplicates += job.summary.duplicates;
          summary.failed.push(...job.summary.failed);
          before += 'paths' in entry ? entry.paths.length : entry.staged.length;
          if (job.state !== 'succeeded') {
            outcome = job.state === 'running' ? 'failed' : job.state;
            break;
          }
        }
        if (current.cancelled && outcome === 'succeeded') outcome = 'cancelled';
      } catch (error) {
        outcome = 'failed';
        message = errorMessage(error);
      } finally {
        run.current = null;
      }
      setProgress({ phase: 'finished', outcome, summary, ...(message !== undefined && { message }) });
      latest.current.onFinished();
    },
    [],
  );

  const importFiles = useCallback(
    (source: Promise<CollectedFiles> | CollectedFiles) => {
      const current = begin();
      if (!current) return;
      setProgress({ phase: 'collecting', found: 0 });
      void execute(current, async () => {
        const { files, unreadable } = await source;
        const failed = unreadable.map((file) => ({ path: file.name, reason: file.reason }));
        const staged = await uploadAll(files, current, failed);
        return { entries: current.cancelled || staged.length === 0 ? [] : chunk(staged).map((part) => ({ staged: part })), failed };
      });
    },
    [begin, execute],
  );

  const importPaths = useCallback(
    (paths: string[]) => {
      if (paths.length === 0) return;
      const current = begin();
      if (!current) return;
      setProgress({ phase: 'starting' });
      void execute(current, async () => ({ entries: chunk(paths).map((part) => ({ paths: part })), failed: [] }));
    },
    [begin, execute],
  );

  async function uploadAll(files: PickedFile[], current: { cancelled: boolean }, failed: ImportSummary['failed']) {
    const { bridge } = latest.current;
    const staged: Array<{ stagedId: string; name: string } | undefined> = new Array(files.length);
    const upload = bridge.upload;
    if (!upload) throw new Error('This host cannot receive dropped files.');
    let next = 0;
    let done = 0;
    setProgress({ phase: 'uploading', done: 0, total: files.length });
    async function worker() {
      while (!current.cancelled) {
        const index = next++;
        const item = files[index];
        if (!item) return;
        try {
          staged[index] = { stagedId: await upload!.call(bridge, item.file, item.name), name: item.name };
        } catch (error) {
          failed.push({ path: item.name, reason: latest.current.uploadFailedReason(errorMessage(error)) });
        }
        done += 1;
        setProgress({ phase: 'uploading', done, total: files.length });
      }
    }
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, files.length) }, worker));
    return staged.filter((entry): entry is { stagedId: string; name: string } => entry !== undefined);
  }

  const reportCollecting = useCallback((found: number) => {
    setProgress((previous) => (previous.phase === 'collecting' ? { phase: 'collecting', found } : previous));
  }, []);

  const cancel = useCallback(() => {
    const current = run.current;
    if (!current) return;
    current.cancelled = true;
    if (current.jobId) void latest.current.client.call('import.cancel', { jobId: current.jobId }).catch(() => {});
  }, []);

  const dismiss = useCallback(() => {
    setProgress((previous) => (previous.phase === 'finished' ? { phase: 'idle' } : previous));
  }, []);

  return { progress, busy, importFiles, importPaths, reportCollecting, cancel, dismiss };
}

/** Resolves with the job once it is no longer running, reporting progress on the way. */
function followJob(bridge: HostBridge, client: Client, jobId: string, onProgress: (job: ImportJob) => void): Promise<ImportJob> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let failures = 0;
    let best = -1;
    const seen = (job: ImportJob) => {
      if (settled || job.jobId !== jobId) return;
      // Events and polls can cross; never let the bar go backwards.
      if (job.done >= best || job.state !== 'running') {
        best = Math.max(best, job.done);
        onProgress(job);
      }
      if (job.state !== 'running') {
        settled = true;
        stop();
        resolve(job);
      }
    };
    const poll = async () => {
      try {
        seen(await client.call('import.status', { jobId }));
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures >= MAX_POLL_FAILURES && !settled) {
          settled = true;
          stop();
          reject(error);
        }
      }
    };
    const off = bridge.onEvent((event) => {
      if (event.type === 'import.progress') seen(event.job);
    });
    const timer = setInterval(() => void poll(), POLL_MS);
    function stop() {
      off();
      clearInterval(timer);
    }
    void poll();
  });
}

function chunk<T>(items: T[]): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_PER_JOB) parts.push(items.slice(i, i + MAX_PER_JOB));
  return parts;
}
