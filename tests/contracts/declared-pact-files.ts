/**
 * The pact files a spec file writes, as the contract helper declares them to the test environment.
 * The list lives on the spec file's global object: the one thing a Jest environment and its tests share.
 */
const KEY = '__aggregatorContractsPactFiles';

/** A spec file's global object as the environment sees it (Jest types it apart from `typeof globalThis`). */
type WithPactFiles = { [KEY]?: Set<string> };

/** Called by the spec's contract helper, in the spec file's realm. */
export function declarePactFile(file: string, global: object = globalThis): void {
  const holder = global as WithPactFiles;
  (holder[KEY] ??= new Set()).add(file);
}

/** Read by the test environment once the spec file is done. */
export function declaredPactFiles(global: object): string[] {
  return [...((global as WithPactFiles)[KEY] ?? [])];
}
