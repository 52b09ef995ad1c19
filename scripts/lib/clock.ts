import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the steps see it: injectable, so tests of waits and deadlines never sleep for real. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    await sleep(ms);
  },
};
