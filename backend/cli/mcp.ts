import * as z from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ProposerCallError, proposerClient, proposerSettings } from './proposerClient';

/**
 * `npm run mcp`: a Model Context Protocol server on stdio (issue 16 §2) so an AI agent can ask for a run
 * and a person's touch decides. Its only credential is a proposer token (KEYLAUNCH_PROPOSER_TOKEN), so
 * a compromised or misled agent can only ask: list the jobs its token names, propose a run (which waits
 * for a person's touch in the app, over the exact parameters), and read how its own proposals went.
 * docs/security.md, "Proposals", has the threat model. stdout is the protocol: everything else goes to stderr.
 */
if (process.argv.includes('--help')) {
  console.log(`Usage: KEYLAUNCH_URL=… KEYLAUNCH_PROPOSER_TOKEN=klp.… npm run mcp

A Model Context Protocol server on stdio with the tools list_jobs, propose_run and get_run. It holds
only a proposer token: it can ask for runs; a person's touch in the keylaunch app decides each one.
Exit codes: 0 stdin closed, 3 settings missing.`);
  process.exit(0);
}
const settings = proposerSettings(process.env);
if ('missing' in settings) {
  console.error(`error: Set ${settings.missing}.`);
  process.exit(3);
}
const client = proposerClient(settings);

const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }] });
/** A refusal is a tool result the agent reads (isError), never a crash of the server. */
async function answer(work: () => Promise<unknown>) {
  try {
    return text(await work());
  } catch (e) {
    const error = e instanceof ProposerCallError ? { code: e.code, message: e.message } : { code: 'internal_error', message: 'The keylaunch MCP server failed; see its stderr.' };
    if (!(e instanceof ProposerCallError)) console.error(e);
    return { ...text({ error }), isError: true };
  }
}

const server = new McpServer({ name: 'keylaunch', version: '1.0.0' });

server.registerTool(
  'list_jobs',
  { title: 'List proposable jobs', description: 'The keylaunch jobs this token may propose, with their parameters and how many people must approve a run.', inputSchema: {} },
  () => answer(() => client.listJobs()),
);

server.registerTool(
  'propose_run',
  {
    title: 'Propose a run',
    description:
      'Asks for a run of a job with these parameters. Nothing runs now: people see the request in the keylaunch app and approve it with their own security key, or reject it. Returns the request (id, fingerprint, what is still missing); poll get_run with its id.',
    inputSchema: {
      job: z.string().min(1).max(64).describe('the job name, from list_jobs'),
      params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}).describe('parameter name -> value'),
      reason: z.string().min(1).max(500).describe('why this run is needed: shown to the people who approve it'),
    },
  },
  ({ job, params, reason }) => answer(() => client.propose(job, params, reason)),
);

server.registerTool(
  'get_run',
  {
    title: 'How a proposal went',
    description: 'The state of a proposal made with this token (pending, launched, rejected, ended, expired) and, once launched, its run\'s status.',
    inputSchema: { requestId: z.string().min(1).max(200).describe('the id propose_run returned (req_…)') },
  },
  ({ requestId }) => answer(() => client.get(requestId)),
);

await server.connect(new StdioServerTransport());
