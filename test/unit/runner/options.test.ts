import { OptionsError, parseRunnerOptions } from '../../../src/runner/options.js';

describe('parseRunnerOptions', () => {
  it('defaults', () => {
    expect(parseRunnerOptions([], {})).toEqual({
      manifestPath: 'manifests/controller/compositecontroller.yaml',
      workers: 5,
      backoff: { baseMs: 500, maxMs: 300_000 },
      logLevel: 'info',
    });
  });

  it('flags win over environment variables', () => {
    const env = { RUNNER_MANIFEST: '/env.yaml', RUNNER_WORKERS: '2', RUNNER_HOOK_BASE_URL: 'http://env:1', LOG_LEVEL: 'warn' };
    expect(
      parseRunnerOptions(
        [
          '--manifest',
          '/flag.yaml',
          '--kubeconfig',
          '/kc',
          '--hook-base-url',
          'http://127.0.0.1:8080/',
          '--workers',
          '3',
          '--backoff-base-ms',
          '100',
          '--backoff-max-ms',
          '1000',
        ],
        env,
      ),
    ).toEqual({
      manifestPath: '/flag.yaml',
      kubeconfigPath: '/kc',
      hookBaseUrl: 'http://127.0.0.1:8080',
      workers: 3,
      backoff: { baseMs: 100, maxMs: 1000 },
      logLevel: 'warn',
    });
    expect(parseRunnerOptions([], env)).toMatchObject({ manifestPath: '/env.yaml', workers: 2, hookBaseUrl: 'http://env:1' });
  });

  it('--help asks for the usage text', () => {
    expect(parseRunnerOptions(['--help'], {})).toBeNull();
  });

  it.each([
    [['--workers', '0'], '--workers must be between 1 and 64, got 0'],
    [['--workers', 'many'], '--workers must be a whole number, got "many"'],
    [['--backoff-base-ms', '5000', '--backoff-max-ms', '10'], '--backoff-max-ms must not be smaller than --backoff-base-ms'],
    [['--hook-base-url', 'ftp://x'], '--hook-base-url must use http or https, got ftp:'],
    [['--hook-base-url', 'http://x/?a=1'], '--hook-base-url must not have a query or fragment'],
    [['--log-level', 'loud'], '--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseRunnerOptions(argv, {})).toThrow(new OptionsError(message));
  });

  it('unknown flags are refused', () => {
    expect(() => parseRunnerOptions(['--nope'], {})).toThrow(OptionsError);
  });
});
