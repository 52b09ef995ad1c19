/** Bad configuration or input: the scripts print its message as one line and exit 2 without sending anything. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
