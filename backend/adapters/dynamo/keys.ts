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
 *   RUNS                   RUN#<runId>        runs; ids are time-ordered, so a Query is newest-first
 *   RUNINTENT#<intentId>   RUN                intent -> runId (one run per intent; a lost answer is found by it)
 *   REQUESTS               REQ#<requestId>    pending requests (issue 16); time-ordered ids, so recent ones are a key range
 *   PROPOSERS              PROPOSER#<id>      proposer tokens (issue 16 §2), hashed
 *   AUDIT                  <auditId>          the audit log, the same way
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
  runByIntent: (intentId: string) => ({ pk: `RUNINTENT#${intentId}`, sk: 'RUN' }),
  request: (requestId: string) => ({ pk: 'REQUESTS', sk: `REQ#${requestId}` }),
  proposer: (id: string) => ({ pk: 'PROPOSERS', sk: `PROPOSER#${id}` }),
  audit: (id: string) => ({ pk: 'AUDIT', sk: id }),
  rate: (k: string, at: number, unique = '') => ({ pk: `RATE#${k}`, sk: `${String(at).padStart(15, '0')}#${unique}` }),
};

export const ttlSeconds = (expiresAtMs: number, graceDays = 1) => Math.ceil(expiresAtMs / 1000) + graceDays * 86_400;
