import { Writable } from 'node:stream';
import { createLogger } from '@/lib/ops/logger';

/** A logger as the app's, at info, whose JSON lines are parsed into `lines` as they are written. */
export function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(stream, 'info'), lines };
}
