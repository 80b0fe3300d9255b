// The README's example job: greets `who`, `times` times. Run by local mode as
// `node jobs/examples/hello.mjs <who> <times>`, with no shell; the secret `otp` arrives in the
// environment (KEYLAUNCH_SECRET_OTP), never in argv, and is not printed.
const [who = 'world', times = '1'] = process.argv.slice(2);
for (let i = 0; i < Number(times); i++) console.log(`Hello, ${who}!`);
if (process.env.KEYLAUNCH_SECRET_OTP) console.log('(an MFA code came with the run; a real job would use it now)');
