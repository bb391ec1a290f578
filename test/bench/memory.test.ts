import { describe, expect, it } from 'vitest';
import { parseStatusField, readStatusMB, shortCommand } from '../../bench/memory.ts';

describe('bench memory readings', () => {
  it('reads kB fields of /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    expect(parseStatusField(status, 'VmHWM')).toBe(204800);
    expect(parseStatusField(status, 'VmRSS')).toBe(102400);
    expect(parseStatusField(status, 'VmSwap')).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('reads this process’s own resident memory in MB', () => {
    const rss = readStatusMB(process.pid, 'VmRSS');
    expect(rss).toBeGreaterThan(0);
    expect(readStatusMB(process.pid, 'VmHWM')).toBeGreaterThanOrEqual(rss);
  });

  it('shortens command lines for the table', () => {
    expect(
      shortCommand(['/usr/bin/node', '--import', 'tsx', '/repo/bench/server.ts', '--baseline-server', '--tfjs', '/tmp/x/model.json']),
    ).toBe('server.ts --baseline-server --tfjs model.json');
  });
});
