import { describe, expect, it } from 'vitest';
import { claimSingleInstance, focusWindow } from '../../src/main/single-instance';

describe('single instance', () => {
  it('when another instance holds the lock, then this one quits and registers nothing', () => {
    const calls: string[] = [];
    const app = { requestSingleInstanceLock: () => false, on: () => calls.push('on'), quit: () => calls.push('quit') };
    expect(claimSingleInstance(app, () => {})).toBe(false);
    expect(calls).toEqual(['quit']);
  });

  it('when this is the first instance, then a second launch brings its window forward', () => {
    let onSecond: (() => void) | undefined;
    const app = { requestSingleInstanceLock: () => true, on: (_e: 'second-instance', l: () => void) => void (onSecond = l), quit: () => {} };
    const win = {
      minimized: true,
      calls: [] as string[],
      isDestroyed: () => false,
      isMinimized: () => win.minimized,
      restore: () => win.calls.push('restore'),
      show: () => win.calls.push('show'),
      focus: () => win.calls.push('focus'),
    };
    expect(claimSingleInstance(app, () => focusWindow(win))).toBe(true);
    onSecond?.();
    expect(win.calls).toEqual(['restore', 'show', 'focus']);
  });

  it('when there is no window yet or it was closed, then focusing does nothing', () => {
    expect(() => focusWindow(null)).not.toThrow();
    const closed = {
      isDestroyed: () => true,
      isMinimized: () => {
        throw new Error('touched a destroyed window');
      },
      restore() {},
      show() {},
      focus() {},
    };
    expect(() => focusWindow(closed)).not.toThrow();
  });
});
