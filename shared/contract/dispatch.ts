import type { z } from 'zod';
import { api, isCallName, type CallName, type CallOutput, type ParsedInput } from './api.js';
import { fail, ok, UserFacingError, type Result } from './result.js';

/** One handler per call of the contract; the main process builds this map once. */
export type Handlers = {
  [K in CallName]: (input: ParsedInput<K>) => Promise<CallOutput<K>> | CallOutput<K>;
};

/** Called for failures that are not the caller's fault, so the host can log them. */
export type InternalErrorSink = (name: string, error: unknown) => void;

/**
 * Validates a raw call from outside the process and runs its handler. Unknown names and
 * invalid arguments are refused before any handler sees them.
 */
export async function dispatch(
  handlers: Partial<Handlers>,
  name: unknown,
  rawInput: unknown,
  onInternalError: InternalErrorSink = () => {},
): Promise<Result<unknown>> {
  if (!isCallName(name)) return fail('unknown-call', `There is no call named ${JSON.stringify(String(name)).slice(0, 80)}.`);
  const handler = handlers[name] as ((input: unknown) => unknown) | undefined;
  if (!handler) return fail('unsupported', `${name} is not available in this window.`);
  const parsed = api[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) return fail('invalid-argument', `Invalid arguments for ${name}: ${describeIssues(parsed.error)}`);
  try {
    const value = await handler(parsed.data);
    return ok(value ?? null);
  } catch (error) {
    if (error instanceof UserFacingError) return fail(error.code, error.message);
    onInternalError(name, error);
    return fail('internal', `Something went wrong in ${name}. The details are in the log.`);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}`)
    .join('; ');
}
