import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { parse } from 'dotenv';
import { ENV_EXAMPLE, readBrokerUsers } from '../../broker/server';
import { ConfigError } from '../../scripts/lib/script';
import { runNpmScript } from '../pipeline/run-npm-script';

// .env.example is safe as copied: the broker on this machine refuses the example's placeholder passwords in one line,
// before it installs or starts anything, and takes the example's users once the passwords are the user's own.

const example = readFileSync(ENV_EXAMPLE, 'utf8');
/** The example with its commented-out settings (the optional read-only user) switched on. */
const everyExampleSetting = parse(example.replace(/^#\s*([A-Z][A-Z0-9_]*=)/gm, '$1'));

const refusal = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return undefined;
};

describe("the local broker's users from .env.example", () => {
  it('copied as is: broker:start refuses the placeholder password in one line, exit 2, naming the variable', async () => {
    // On a port already taken: were the placeholder let through, broker:start would stop there, not start a broker.
    const taken = net.createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    const result = await runNpmScript('broker:start', ['--port', String(port)], { DOTENV_CONFIG_PATH: ENV_EXAMPLE });
    taken.close();

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^✗ BROKER_PASSWORD \(from .*\.env\.example\) is still the placeholder from \.env\.example: set a password of your own in \.env/,
      ),
    ]);
  });

  it("refuses the read-only user's placeholder too, once the read/write password is one's own", () => {
    expect(refusal(() => readBrokerUsers({ ...everyExampleSetting, BROKER_PASSWORD: 'Own-pa55word-1' }))).toMatch(
      /^BROKER_READ_ONLY_PASSWORD is still the placeholder from \.env\.example/,
    );
  });

  it("takes the example's users, named for what they are, with passwords of one's own", () => {
    const users = readBrokerUsers({
      ...everyExampleSetting,
      BROKER_PASSWORD: 'Own-pa55word-1',
      BROKER_READ_ONLY_PASSWORD: 'Own-pa55word-2',
    });

    expect(users).toEqual({
      readWrite: { username: everyExampleSetting.BROKER_USERNAME, password: 'Own-pa55word-1' },
      readOnly: { username: everyExampleSetting.BROKER_READ_ONLY_USERNAME, password: 'Own-pa55word-2' },
    });
    expect(users.readWrite.username).toMatch(/read-write|read\/write|writer/);
    expect(users.readOnly?.username).toMatch(/read-only|reader/);
  });
});
