import { z } from 'zod';

/**
 * Bench sizes come from the environment, so the same harness does a quick check on a laptop
 * (BENCH_QUICK=1) and the full run (10 million rows) on a quiet machine.
 */
const int = (def: number) => z.coerce.number().int().min(1).default(def);
const schema = z.object({
  BENCH_QUICK: z.enum(['0', '1']).default('0'),
  BENCH_ROWS: z.coerce.number().int().min(1000).optional(),
  BENCH_PEER_ROWS: z.coerce.number().int().min(1000).optional(),
  BENCH_ROUNDS: int(3),
  BENCH_DURATION: int(10).describe('seconds per HTTP load round'),
  BENCH_CONNECTIONS: int(8),
  BENCH_BATCHES: int(20).describe('5,000-reading batches per batch-ingest round'),
  BENCH_QUERIES: int(200).describe('samples per query case'),
  BENCH_CASES: z.string().default('single,batch,lineprotocol,queries,export,startup,mlscore,modbus,sparkplug'),
});

export type BenchEnv = ReturnType<typeof benchEnv>;

/** `npm run bench -- --help`: the settings above, in words (the bench takes no other arguments). */
export const BENCH_USAGE = `usage: npm run bench   (settings by environment; no arguments)

  BENCH_QUICK=1        a quick check: 200,000 rows, 2 short rounds per case (default: the full 10 million rows)
  BENCH_ROWS=N         rows stored for the query and export cases
  BENCH_PEER_ROWS=N    rows loaded into the InfluxDB reference (default: BENCH_ROWS)
  BENCH_ROUNDS=N       alternating rounds per case (3)
  BENCH_DURATION=S     seconds per HTTP load round (10)
  BENCH_CONNECTIONS=N  concurrent connections of the load generator (8)
  BENCH_BATCHES=N      5,000-reading batches per batch-ingest round (20)
  BENCH_QUERIES=N      samples per query case (200)
  BENCH_CASES=a,b      cases to run (${schema.shape.BENCH_CASES.def.defaultValue})

Results: bench/results/latest.json and the tables in docs/PERFORMANCE.md.
`;

export function benchEnv(env: Record<string, string | undefined> = process.env) {
  const e = schema.parse(env);
  const quick = e.BENCH_QUICK === '1';
  const rows = e.BENCH_ROWS ?? (quick ? 200_000 : 10_000_000);
  return {
    quick,
    rows,
    peerRows: Math.min(rows, e.BENCH_PEER_ROWS ?? rows),
    rounds: quick ? Math.min(e.BENCH_ROUNDS, 2) : e.BENCH_ROUNDS,
    durationS: quick ? Math.min(e.BENCH_DURATION, 3) : e.BENCH_DURATION,
    connections: e.BENCH_CONNECTIONS,
    batches: quick ? Math.min(e.BENCH_BATCHES, 4) : e.BENCH_BATCHES,
    queries: quick ? Math.min(e.BENCH_QUERIES, 40) : e.BENCH_QUERIES,
    cases: new Set(e.BENCH_CASES.split(',').map((c) => c.trim())),
    devices: 100,
  };
}
