import type { z } from 'zod';
import { JOB_NAME_PATTERN } from '../../shared/jobs';
import type { Config } from '../config';
import type { Logger } from '../logger';

/** What a handler gets besides its payload. */
interface JobContext {
  taskId: string;
  /** aborted when the task is cancelled, taken over, or the worker shuts down */
  signal: AbortSignal;
  /** reports progress; cheap to call often (writes are throttled) */
  progress(rows: number, percent: number | null): void;
  config: Config;
  logger: Logger;
}

interface JobOutcome {
  result: unknown;
  rows: number;
}

/** One job name = one payload schema = one handler (and an optional cleanup for cancelled/failed runs). */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  /** how many times a failed run is attempted in total */
  attempts: number;
  handler(payload: z.output<S>, ctx: JobContext): Promise<JobOutcome>;
  /** removes what an unfinished run left behind (temp files) */
  cleanup?(taskId: string, config: Config): void;
}

export const defineJob = <S extends z.ZodType>(def: JobDefinition<S>): JobDefinition => def as unknown as JobDefinition;

class UnknownJobError extends Error {
  override name = 'UnknownJobError';
}

/**
 * The table of jobs a process can run, checked when it is built (at start): a duplicate name or a
 * definition without a schema or handler stops the process instead of failing a task at 3 a.m.
 */
export class JobRegistry {
  private readonly defs = new Map<string, JobDefinition>();

  constructor(defs: readonly JobDefinition[]) {
    for (const def of defs) {
      if (!JOB_NAME_PATTERN.test(def.name)) throw new Error(`job name ${JSON.stringify(def.name)} is not a valid job name`);
      if (this.defs.has(def.name)) throw new Error(`job ${def.name} is defined twice`);
      if (typeof def.schema?.safeParse !== 'function') throw new Error(`job ${def.name} has no payload schema`);
      if (typeof def.handler !== 'function') throw new Error(`job ${def.name} has no handler`);
      if (!(def.attempts >= 1)) throw new Error(`job ${def.name} needs attempts >= 1`);
      this.defs.set(def.name, def);
    }
  }

  get(name: string): JobDefinition {
    const def = this.defs.get(name);
    if (!def) throw new UnknownJobError(`no handler for job ${name}`);
    return def;
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }
}
