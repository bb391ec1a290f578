/** A fresh `serve` (defaults) per protocol: its resident set after each checkpoint's total of requests, and its peak; growth should be close to zero. */
import { readStatusMB } from '../../memory.ts';
import type { MemoryRun, Protocol } from './data.ts';
import { sender } from './protocols.ts';
import { readSignature } from './requests.ts';
import { round } from './rounding.ts';
import { startServe } from './servers.ts';

export async function measureServerMemory(
  onnx: string,
  protocol: Protocol,
  checkpoints: number[],
  connections: number,
  log: (line: string) => void,
): Promise<MemoryRun> {
  const server = await startServe(onnx, []);
  try {
    const send = sender(protocol, await readSignature(server.url));
    const measured: MemoryRun['checkpoints'] = [];
    let sent = 0;
    for (const requests of checkpoints) {
      const result = await send.load(server, connections, { amount: requests - sent });
      if (result.failures > 0)
        throw new Error(
          `${result.failures} of ${requests - sent} ${protocol} requests failed while measuring memory${result.firstFailure ? ` (first: ${result.firstFailure})` : ''}`,
        );
      sent = requests;
      const rssMB = readStatusMB(server.pid, 'VmRSS');
      measured.push({ requests, rssMB });
      log(`memory ${protocol}: RSS after ${requests} requests: ${rssMB.toFixed(1)} MB`);
    }
    const first = measured[0]!.rssMB;
    const last = measured.at(-1)!.rssMB;
    return {
      protocol,
      connections,
      checkpoints: measured,
      growthMB: round(last - first),
      growthPercent: round(((last - first) / first) * 100),
      peakRssMB: readStatusMB(server.pid, 'VmHWM'),
    };
  } finally {
    await server.stop();
  }
}
