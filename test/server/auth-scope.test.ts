import { describe, expect, it } from 'vitest';
import { globMatches, scopeMatcher } from '../../src/server/auth/scope';
import { seededRandom } from '../../src/shared/random';

/** The glob as a regular expression: the obvious reading, used as the oracle on short inputs. */
const viaRegex = (glob: string, id: string) =>
  new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(id);

describe('device-scope globs', () => {
  it('when random globs and ids over a small alphabet are matched, then the answers equal the regular expression reading', () => {
    const r = seededRandom(11);
    const pick = (alphabet: string, max: number) => Array.from({ length: Math.floor(r() * max) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const glob = `${pick('ab*', 8)}${r() < 0.5 ? '*' : ''}`;
      const id = pick('ab', 10);
      expect(globMatches(glob.split('*'), id), `${glob} ~ ${id}`).toBe(viaRegex(glob, id));
    }
  });

  it('when a scope mixes exact ids and globs, then either kind admits a device', () => {
    const allowed = scopeMatcher(['well-007', 'pad-3-*', '*-test']);
    expect(['well-007', 'pad-3-a', 'pad-3-', 'x-test'].map(allowed)).toEqual([true, true, true, true]);
    expect(['well-0070', 'pad-4-a', 'test'].map(allowed)).toEqual([false, false, false]);
  });
});
