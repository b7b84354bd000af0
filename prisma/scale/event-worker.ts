// The scale loader's hashing thread (./events.ts): generates and hashes the events, hands COPY text to the main
// thread, and waits whenever WINDOW batches are still unwritten.
import { parentPort, workerData } from 'node:worker_threads';
import { eventBatches, type EventPlan } from './events';

const { plan, credits } = workerData as { plan: EventPlan; credits: Int32Array };
for (const message of eventBatches(plan)) {
  if ('rows' in message) {
    while (Atomics.load(credits, 0) <= 0) Atomics.wait(credits, 0, 0);
    Atomics.sub(credits, 0, 1);
  }
  parentPort!.postMessage(message);
}
parentPort!.postMessage('finished');
