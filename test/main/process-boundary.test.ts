import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The main process imports no station code: the station runs in its own process and is spoken to
 * only by messages. The lint rule enforces it; these tests prove the rule bites, and that the main
 * sources as they are pass it.
 */
describe('the main process / station process boundary', () => {
  const eslint = new ESLint();

  it('when a file in src/main imports station code, then lint refuses it', async () => {
    const [result] = await eslint.lintText("import { startStation } from '../server/station';\nexport const s = startStation;\n", {
      filePath: 'src/main/leak.ts',
    });
    expect(result!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    expect(result!.messages.find((m) => m.ruleId === 'no-restricted-imports')?.message).toMatch(/its own process/);
  });

  it('when a file in src/main imports the protocol from src/shared, then lint accepts it', async () => {
    const [result] = await eslint.lintText("import type { ToStation } from '../shared/station-protocol';\nexport type T = ToStation;\n", {
      filePath: 'src/main/ok.ts',
    });
    expect(result!.messages.filter((m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
  });

  it('when the main sources are read, then none imports from src/server', () => {
    const dir = join(process.cwd(), 'src', 'main');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from ['"][^'"]*\/server\//.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
