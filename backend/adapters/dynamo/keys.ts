/**
 * The single-table layout. pk/sk strings; `ttl` (epoch seconds) lets DynamoDB delete spent items in AWS,
 * but nothing relies on it: expiry is always checked in conditions (dynalite has no TTL).
 *
 *   USER#<userId>          USER               the user
 *   USER#<userId>          CRED#<credId>      a credential (one Query loads a user and their keys)
 *   USERNAME#<name>        USERNAME           name -> userId (names are unique)
 *   INVITE#<sha256>        INVITE             an invite, by the hash of its code
 *   CHALLENGE#<intentId>   CHALLENGE          a single-use challenge record
 *   SESSION#<sessionId>    ENDED              a session ended before its expiry (the desktop locked)
 *   RUNS#<day>             RUN#<runId>        runs, by the UTC day of their time-ordered id (runPartitions.ts)
 *   RUNDAYS                <day>              the days that have runs (listing pages across them)
 *   RUNS                   RUN#<runId>        runs from before days, or with ids not time-ordered (read, updated in place)
 *   RUNINTENT#<intentId>   RUN                intent -> runId (one run per intent; a lost answer is found by it)
 *   REQUESTS               REQ#<requestId>    pending requests (issue 16); time-ordered ids, so recent ones are a key range
 *   PROPOSERS              PROPOSER#<id>      proposer tokens (issue 16 §2), hashed
 *   AUDIT                  <auditId>          the audit log before the hash chain (read, never written)
 *   AUDITHEAD              HEAD               the chain's head: seq, hash, the newest entry whole
 *   AUDIT#<day>            <seq, 12 digits>   chained entries, by UTC day (auditChainStore.ts says why)
 *   AUDITDAYS              <day>              the days that have entries (listing pages across them)
 *   AUDITSIG               <seq, 12 digits>   a signature of the head at seq
 *   GRANT#<grantId>        GRANT              a pending (or approved) grant of the admin role
 *   RATE#<key>             <at>#<random>      one failure (sliding-window log; `at` zero-padded ms)
 */
export const key = {
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'USER' }),
  credential: (userId: string, credentialId: string) => ({ pk: `USER#${userId}`, sk: `CRED#${credentialId}` }),
  userName: (name: string) => ({ pk: `USERNAME#${name}`, sk: 'USERNAME' }),
  invite: (hash: string) => ({ pk: `INVITE#${hash}`, sk: 'INVITE' }),
  challenge: (intentId: string) => ({ pk: `CHALLENGE#${intentId}`, sk: 'CHALLENGE' }),
  endedSession: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'ENDED' }),
  run: (runId: string) => ({ pk: 'RUNS', sk: `RUN#${runId}` }),
  runOnDay: (day: string, runId: string) => ({ pk: `RUNS#${day}`, sk: `RUN#${runId}` }),
  runDay: (day: string) => ({ pk: 'RUNDAYS', sk: day }),
  runByIntent: (intentId: string) => ({ pk: `RUNINTENT#${intentId}`, sk: 'RUN' }),
  adminGrant: (id: string) => ({ pk: `GRANT#${id}`, sk: 'GRANT' }),
  request: (requestId: string) => ({ pk: 'REQUESTS', sk: `REQ#${requestId}` }),
  proposer: (id: string) => ({ pk: 'PROPOSERS', sk: `PROPOSER#${id}` }),
  audit: (id: string) => ({ pk: 'AUDIT', sk: id }),
  auditHead: () => ({ pk: 'AUDITHEAD', sk: 'HEAD' }),
  auditEntry: (day: string, seq: number) => ({ pk: `AUDIT#${day}`, sk: seqKey(seq) }),
  auditDay: (day: string) => ({ pk: 'AUDITDAYS', sk: day }),
  auditSignature: (seq: number) => ({ pk: 'AUDITSIG', sk: seqKey(seq) }),
  rate: (k: string, at: number, unique = '') => ({ pk: `RATE#${k}`, sk: `${String(at).padStart(15, '0')}#${unique}` }),
};

export const seqKey = (seq: number) => String(seq).padStart(12, '0');

export const ttlSeconds = (expiresAtMs: number, graceDays = 1) => Math.ceil(expiresAtMs / 1000) + graceDays * 86_400;
