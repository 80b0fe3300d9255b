import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The shipped Lambda bundle in a child process, called the way the Lambda runtime calls it
 * (tests/support/lambdaRuntime.mjs). Everything the function prints is kept, as CloudWatch would.
 */
export async function startLambdaProcess(o: { taskRoot: string; env: Record<string, string> }) {
  const child: ChildProcess = fork(fileURLToPath(new URL('./lambdaRuntime.mjs', import.meta.url)), [], {
    env: {
      PATH: process.env.PATH ?? '',
      LAMBDA_TASK_ROOT: o.taskRoot,
      _HANDLER: 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'keylaunch-verifier',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...o.env,
    },
    cwd: o.taskRoot,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let next = 0;

  const init = await new Promise<{ init: string; ms?: number; error?: string }>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the function exited during init (${code}):\n${output}`)));
  });
  if (init.init !== 'ok') throw new Error(`the function failed to initialize: ${init.error}\n${output}`);
  child.removeAllListeners('exit');
  child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(`the handler threw: ${m.error}`));
    else p?.resolve(m.result);
  });
  child.on('exit', () => pending.forEach((p) => p.reject(new Error(`the function process exited:\n${output}`))));

  return {
    initMs: init.ms!,
    /** Everything the function logged so far. */
    output: () => output,
    invoke: <T = any>(event: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next;
        pending.set(id, { resolve, reject });
        child.send({ id, event });
      }),
    close: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill()))),
  };
}
