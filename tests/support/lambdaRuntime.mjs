// A stand-in for the Lambda Node.js runtime, run as a child process: it loads the handler named by
// _HANDLER ("index.handler") from LAMBDA_TASK_ROOT exactly as the managed runtime does (an ES module
// index.mjs, no node_modules beside it), then answers each { id, event } message with the handler's
// result. Plain JavaScript on purpose: nothing of the test's TypeScript tooling is loaded here.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [file, name] = process.env._HANDLER.split('.');
const started = performance.now();
let handler;
try {
  handler = (await import(pathToFileURL(join(process.env.LAMBDA_TASK_ROOT, `${file}.mjs`)).href))[name];
  if (typeof handler !== 'function') throw new Error(`${process.env._HANDLER} is not a function`);
} catch (error) {
  process.send({ init: 'failed', error: String(error?.stack ?? error) });
  process.exit(1);
}
process.send({ init: 'ok', ms: performance.now() - started });

let n = 0;
process.on('message', async ({ id, event }) => {
  const context = { awsRequestId: `req-${++n}`, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 10_000 };
  try {
    process.send({ id, result: await handler(event, context) });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
