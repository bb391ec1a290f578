import { describe, expect, it } from 'vitest';
import { flopsPerCycle, fp32Peak, parseCpuInfo } from '../../bench/machine.ts';

const CPUINFO = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Processor
cpu MHz\t\t: 2599.998
flags\t\t: fpu sse2 avx fma avx2 avx512f

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Processor
cpu MHz\t\t: 2599.998
flags\t\t: fpu sse2 avx fma avx2 avx512f
`;

describe('machine description', () => {
  it('reads model, logical CPUs, clock and flags from /proc/cpuinfo', () => {
    const cpu = parseCpuInfo(CPUINFO);
    expect(cpu).toEqual({
      model: 'Intel(R) Xeon(R) Processor',
      logicalCpus: 2,
      mhz: 2599.998,
      flags: ['fpu', 'sse2', 'avx', 'fma', 'avx2', 'avx512f'],
    });
  });

  it('counts fp32 FLOPs per cycle from the widest FMA the flags advertise', () => {
    expect(flopsPerCycle(['avx2', 'fma', 'avx512f']).flops).toBe(32);
    expect(flopsPerCycle(['avx', 'avx2', 'fma']).flops).toBe(16);
    expect(flopsPerCycle(['avx', 'avx2']).flops).toBe(8);
    expect(flopsPerCycle(['sse2']).flops).toBe(4);
    expect(flopsPerCycle([]).flops).toBe(0);
  });

  it('peak = logical CPUs × clock × FLOPs per cycle, with the derivation spelled out', () => {
    const peak = fp32Peak({ model: 'x', logicalCpus: 2, mhz: 2600, flags: ['avx512f'] });
    expect(peak.gflops).toBeCloseTo(166.4, 5);
    expect(peak.flopsPerCyclePerCore).toBe(32);
    expect(peak.derivation).toContain('2 logical CPUs × 2600 MHz × 32 FLOPs/cycle');
  });
});
