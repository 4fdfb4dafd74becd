/**
 * The edit jobs of one project as the UI shows them: the list from `edit.list`, kept current by
 * `edit.progress` events, and the words that explain a job's state and any refusal.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EditJobInfo } from '../../shared/contract/api.js';
import type { MessageKey, MessageParams } from '../../shared/i18n/index.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';

export const ACTIVE_STATES: ReadonlySet<EditJobInfo['state']> = new Set(['queued', 'running', 'waiting-network']);

export function isActive(job: EditJobInfo): boolean {
  return ACTIVE_STATES.has(job.state);
}

export const STATE_KEYS: Record<EditJobInfo['state'], MessageKey> = {
  queued: 'ai.state.queued',
  running: 'ai.state.running',
  'waiting-network': 'ai.state.waiting',
  succeeded: 'ai.state.succeeded',
  failed: 'ai.state.failed',
  cancelled: 'ai.state.cancelled',
};

const KIND_KEYS: Record<string, MessageKey> = {
  blocked: 'ai.why.blocked',
  safety: 'ai.why.safety',
  'no-image': 'ai.why.noImage',
  auth: 'ai.why.auth',
  quota: 'ai.why.quota',
  'rate-limit': 'ai.why.rateLimit',
  server: 'ai.why.server',
  timeout: 'ai.why.timeout',
  network: 'ai.why.network',
  'bad-request': 'ai.why.badRequest',
  cancelled: 'ai.why.cancelled',
  unsupported: 'ai.why.unsupported',
};

type T = (key: MessageKey, params?: MessageParams) => string;

/** One sentence in the UI's language saying why a job stopped or waits (null when nothing to explain). */
export function explainJob(job: EditJobInfo, t: T): string | null {
  if (job.state === 'succeeded' || (!job.error && !job.errorKind)) return null;
  const key = job.errorKind ? KIND_KEYS[job.errorKind] : undefined;
  return t(key ?? 'ai.why.other');
}

/** Merges a newer copy of a job into a list kept newest first. */
export function upsertJob(list: readonly EditJobInfo[], job: EditJobInfo): EditJobInfo[] {
  const index = list.findIndex((item) => item.jobId === job.jobId);
  if (index < 0) return [job, ...list].sort(newestFirst);
  const current = list[index]!;
  // Events and list answers may cross: keep whichever copy is newer.
  if (current.updatedAt > job.updatedAt) return [...list];
  const next = [...list];
  next[index] = job;
  return next;
}

function newestFirst(a: EditJobInfo, b: EditJobInfo): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

export interface ProjectJobs {
  jobs: EditJobInfo[];
  /** Adds a job the UI just submitted (before its first event arrives). */
  add(job: EditJobInfo): void;
  cancel(jobId: string): void;
}

/** The project's jobs; `onFinished` hears each job that reaches succeeded (once). */
export function useProjectJobs(projectId: number | null, onSucceeded: (job: EditJobInfo) => void): ProjectJobs {
  const { client, toast } = useApp();
  const [jobs, setJobs] = useState<EditJobInfo[]>([]);
  const [version, setVersion] = useState(0);
  const seen = useRef(new Set<string>());
  const succeeded = useRef(onSucceeded);
  useEffect(() => {
    succeeded.current = onSucceeded;
  });

  useEffect(() => {
    setJobs([]);
    seen.current = new Set();
  }, [projectId]);

  useEffect(() => {
    if (projectId === null) return;
    let live = true;
    client.call('edit.list', { projectId }).then(
      (list) => {
        if (!live) return;
        // Jobs already done when the editor opened are not news.
        for (const job of list) if (job.state === 'succeeded') seen.current.add(job.jobId);
        setJobs((current) => list.reduce(upsertJob, current.filter((job) => job.projectId === projectId)));
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [client, projectId, version]);

  useHostEvent((event) => {
    if (event.type === 'library.changed') setVersion((v) => v + 1);
    if (event.type !== 'edit.progress' || event.job.projectId !== projectId) return;
    const { job } = event;
    setJobs((list) => upsertJob(list, job));
    if (job.state === 'succeeded' && !seen.current.has(job.jobId)) {
      seen.current.add(job.jobId);
      succeeded.current(job);
    }
  });

  const add = useCallback((job: EditJobInfo) => setJobs((list) => upsertJob(list, job)), []);

  const cancel = useCallback(
    (jobId: string) => {
      client.call('edit.cancel', { jobId }).then(
        (job) => setJobs((list) => upsertJob(list, job)),
        (error: unknown) => toast({ kind: 'error', text: errorMessage(error) }),
      );
    },
    [client, toast],
  );

  return { jobs, add, cancel };
}

/** Re-renders every second while `enabled`, for "next try in 12 s". */
export function useTicker(enabled: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [enabled]);
  return now;
}
