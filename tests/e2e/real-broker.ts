/**
 * A throwaway real Pact Broker for the e2e tests: random port on 127.0.0.1, SQLite in a temp folder,
 * random users. Needs Ruby and Bundler; installs the broker's gems on first use (see broker/).
 * Usable from Jest (ts-jest) and from tsx.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_FILE_NAME, ensureBrokerBundle, startBrokerServer, type BrokerUser } from '../../broker/server';
import { unusedUrl } from '../clients/fixture-server';

export interface RealBroker {
  url: string;
  readWrite: BrokerUser;
  readOnly: BrokerUser;
  /** The puma process (leader of its own process group). */
  pid: number;
  /** The temp folder holding the broker's SQLite file; close() removes it. */
  dataDir: string;
  /** Stops the broker (the whole process group) and removes its temp folder. */
  close(): Promise<void>;
}

/** A port that was free a moment ago (the OS picks it); good enough for a test's throwaway server. */
export const freePort = async () => Number(new URL(await unusedUrl()).port);

function randomUser(role: string): BrokerUser {
  return { username: `${role}-${randomBytes(4).toString('hex')}`, password: randomBytes(18).toString('base64url') };
}

/**
 * Starts a fresh broker and resolves once its heartbeat answers; rejects with the broker's log tail if it
 * does not start. The broker starts empty: what a test finds there is what it put there.
 */
export async function startRealBroker(): Promise<RealBroker> {
  await ensureBrokerBundle(process.env, (line) => console.log(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pact-broker-'));
  const readWrite = randomUser('rw');
  const readOnly = randomUser('ro');
  // A port taken between freePort() and puma's bind is reported as "in use": try another once.
  for (let attempt = 1; ; attempt++) {
    try {
      const broker = await startBrokerServer({
        port: await freePort(),
        database: { file: path.join(dir, DATABASE_FILE_NAME) },
        readWrite,
        readOnly,
      });
      const close = async () => {
        await broker.stop();
        rmSync(dir, { recursive: true, force: true });
      };
      return { url: broker.url, readWrite, readOnly, pid: broker.pid, dataDir: dir, close };
    } catch (error) {
      if (attempt < 2 && /already in use|Address already in use/.test((error as Error).message)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
}
