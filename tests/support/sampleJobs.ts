/** Jobs the API tests run: real local processes, one per behaviour under test. */
const node = process.execPath;

export const sampleJobs = [
  {
    name: 'echo',
    title: 'Echo parameters',
    type: 'local',
    params: [
      { name: 'message', type: 'string', required: true, maxLength: 100 },
      { name: 'count', type: 'integer', min: 1, max: 3, default: 1 },
    ],
    allow: { roles: ['admin', 'operator'] },
    target: { argv: [node, '-e', 'console.log(process.argv.slice(1).join("|"))', '{{message}}', '{{count}}'], timeoutSeconds: 20 },
  },
  {
    name: 'with-secret',
    title: 'Uses a secret',
    type: 'local',
    params: [
      { name: 'target', type: 'enum', values: ['staging', 'prod'], required: true },
      { name: 'token', type: 'string', required: true, secret: true, pattern: '[0-9]{6}' },
    ],
    allow: { roles: ['admin', 'operator'] },
    target: { argv: [node, '-e', 'console.log("token is " + process.env.KEYLAUNCH_SECRET_TOKEN)'], timeoutSeconds: 20 },
  },
  {
    name: 'fails',
    title: 'Fails',
    type: 'local',
    allow: { roles: ['admin', 'operator'] },
    target: { argv: [node, '-e', 'console.error("broken on purpose"); process.exit(3)'], timeoutSeconds: 20 },
  },
  {
    name: 'admins-only',
    title: 'Admins only',
    type: 'local',
    allow: { roles: ['admin'] },
    target: { argv: [node, '-e', 'console.log("admin job")'], timeoutSeconds: 20 },
  },
  {
    name: 'needs-uv',
    title: 'Needs user verification',
    type: 'local',
    userVerification: 'required',
    allow: { roles: ['admin', 'operator'] },
    target: { argv: [node, '-e', 'console.log("verified")'], timeoutSeconds: 20 },
  },
  {
    name: 'missing-binary',
    title: 'Cannot start',
    type: 'local',
    allow: { roles: ['admin', 'operator'] },
    target: { argv: ['/nonexistent/keylaunch-test-binary'], timeoutSeconds: 20 },
  },
  { name: 'broken', title: 'Broken config', type: 'local', allow: { roles: [] }, target: { argv: [] } },
];
