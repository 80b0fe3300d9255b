import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DocumentClient } from './documentCommands';
import { createDirectoryStore } from './dynamoDirectory';
import { isConditionFailure, strip } from './items';
import { KeylaunchError } from '../../core/errors';
import type { ApprovalRequest, ProposerToken, AuditEntry, ChallengeRecord, Credential, Invite, Run, User } from '../../core/model';
import type { AuditChainStore, ConsumeResult, CounterResult, HeadSigner, Page, Store } from '../../core/ports';
import { createAuditAppender } from '../../core/auditLog';
import { createDynamoAuditChain } from './auditChainStore';
import { createRunPartitions, runKey } from './runPartitions';
import { timeOrderedId } from '../../core/ids';
import { key, ttlSeconds } from './keys';

/** Marks a conditional write as this call's own, so a retry that finds it done can tell. */
const writeToken = () => randomBytes(12).toString('base64url');

/**
 * The Store port on DynamoDB: the same code against AWS and against dynalite in local mode, over either
 * transport of documentCommands.ts.
 */
export function createDynamoStore(options: {
  client: DocumentClient;
  tableName: string;
  /** Signs the audit chain's head; without one (admin CLIs) entries are chained, and signed by the next holder. */
  signer?: HeadSigner;
  log?: (message: string, error?: unknown) => void;
}): Store & { auditChain: AuditChainStore } {
  const { client, tableName: TableName } = options;
  const auditChain = createDynamoAuditChain(client, TableName);
  const runs = createRunPartitions(client, TableName);
  const audit = createAuditAppender({ chain: auditChain, ...(options.signer ? { signer: options.signer } : {}), ...(options.log ? { log: options.log } : {}) });
  const get = async (Key: Record<string, string>) => (await client.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;
  const putNew = async (Item: Record<string, unknown>) =>
    client.send(new PutCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }));

  return {
    auditChain,
    async getUserByName(name) {
      const index = await get(key.userName(name));
      if (!index) return undefined;
      const user = await get(key.user(index.userId as string));
      return user ? strip<User>(user) : undefined;
    },

    async getUserWithCredentials(userId) {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const r = await client.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `USER#${userId}` }, ConsistentRead: true, ExclusiveStartKey }));
        items.push(...(r.Items ?? []));
        ExclusiveStartKey = r.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      const user = items.find((i) => i.sk === 'USER');
      if (!user) return undefined;
      const credentials = items.filter((i) => String(i.sk).startsWith('CRED#')).map((i) => strip<Credential>(i));
      return { user: strip<User>(user), credentials };
    },

    async createUser(user: User) {
      try {
        await putNew({ ...key.userName(user.name), userId: user.id });
      } catch (e) {
        if (isConditionFailure(e)) throw new KeylaunchError('user_exists', `User ${user.name} already exists.`);
        throw e;
      }
      try {
        await putNew({ ...key.user(user.id), ...user });
      } catch (e) {
        // Leave no name reserved for a user that was never written.
        await client.send(new DeleteCommand({ TableName, Key: key.userName(user.name) })).catch(() => undefined);
        throw e;
      }
    },

    async setUserDisabled(userId, disabled) {
      await client.send(
        new UpdateCommand({
          TableName,
          Key: key.user(userId),
          UpdateExpression: 'SET disabled = :d',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':d': disabled },
        }),
      );
    },

    async putCredential(credential: Credential) {
      try {
        await putNew({ ...key.credential(credential.userId, credential.id), ...credential });
      } catch (e) {
        if (isConditionFailure(e)) throw new KeylaunchError('bad_request', 'This key is already registered.');
        throw e;
      }
    },

    async setCredentialState(userId, credentialId, state) {
      const names = Object.keys(state) as (keyof typeof state)[];
      await client.send(
        new UpdateCommand({
          TableName,
          Key: key.credential(userId, credentialId),
          UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, state[n]])),
        }),
      );
    },

    async advanceCounter(userId, credentialId, next, now): Promise<CounterResult> {
      const token = writeToken();
      try {
        await client.send(
          new UpdateCommand({
            TableName,
            Key: key.credential(userId, credentialId),
            UpdateExpression: 'SET #counter = :next, lastUsedAt = :now, counterWrite = :token',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND attribute_not_exists(suspendedAt) AND (#counter < :next OR (#counter = :zero AND :next = :zero))',
            ExpressionAttributeNames: { '#counter': 'counter' },
            ExpressionAttributeValues: { ':next': next, ':now': now, ':zero': 0, ':token': token },
          }),
        );
        return 'advanced';
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        const current = await get(key.credential(userId, credentialId));
        // Our own write, whose answer was lost and whose retry then failed the condition: it advanced.
        if (current?.counterWrite === token) return 'advanced';
        return !current || current.revokedAt !== undefined || current.suspendedAt !== undefined ? 'inactive' : 'regressed';
      }
    },

    async putInvite(invite: Invite) {
      await putNew({ ...key.invite(invite.codeHash), ...invite, ttl: ttlSeconds(invite.expiresAt, 30) });
    },

    async getInvite(codeHash) {
      const item = await get(key.invite(codeHash));
      return item ? strip<Invite>(item) : undefined;
    },

    async redeemInvite(codeHash, now) {
      try {
        await client.send(
          new UpdateCommand({
            TableName,
            Key: key.invite(codeHash),
            UpdateExpression: 'SET redeemedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(redeemedAt) AND expiresAt > :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    async endSession(sessionId, expiresAt) {
      await client.send(new PutCommand({ TableName, Item: { ...key.endedSession(sessionId), expiresAt, ttl: ttlSeconds(expiresAt) } }));
    },

    async isSessionEnded(sessionId) {
      return (await get(key.endedSession(sessionId))) !== undefined;
    },

    async putChallenge(record: ChallengeRecord) {
      // The record is kept as JSON text: the intent must come back byte-for-byte to re-derive the challenge.
      await putNew({ ...key.challenge(record.intentId), record: JSON.stringify(record), expiresAt: record.expiresAt, ttl: ttlSeconds(record.expiresAt) });
    },

    async consumeChallenge(intentId, now): Promise<ConsumeResult> {
      const token = writeToken();
      try {
        const r = await client.send(
          new UpdateCommand({
            TableName,
            Key: key.challenge(intentId),
            UpdateExpression: 'SET consumedAt = :now, consumedBy = :token',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(consumedAt) AND expiresAt > :now',
            ExpressionAttributeValues: { ':now': now, ':token': token },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { ok: true, record: JSON.parse(String(r.Attributes?.record)) as ChallengeRecord };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        // Failure path only: say why, so a replay reads `challenge_used`, not a generic refusal.
        const item = await get(key.challenge(intentId));
        // This very call consumed it (a transport retry after a lost answer): only it knows the token.
        if (item?.consumedBy === token) return { ok: true, record: JSON.parse(String(item.record)) as ChallengeRecord };
        return { ok: false, reason: !item ? 'unknown' : item.consumedAt !== undefined ? 'used' : 'expired' };
      }
    },

    async reserveRun(intentId, runId) {
      // The intent's index item, written before its run: an index whose run was never made finds no run.
      await putNew({ ...key.runByIntent(intentId), runId });
    },

    async createRun(run: Run) {
      // The day's index beside the run itself: no round trip of its own.
      await Promise.all([putNew({ ...runKey(run.id), ...run }), runs.indexDay(run.id)]);
    },

    async updateRun(run: Run) {
      const put = (Key: Record<string, string>) => client.send(new PutCommand({ TableName, Item: { ...Key, ...run }, ConditionExpression: 'attribute_exists(pk)' }));
      try {
        await put(runKey(run.id));
      } catch (e) {
        // A run from before day partitions is updated where it is (local mode's lost runs at start-up).
        if (!isConditionFailure(e) || runKey(run.id).pk === key.run(run.id).pk) throw e;
        await put(key.run(run.id));
      }
    },

    async getRunByIntent(intentId) {
      const index = await get(key.runByIntent(intentId));
      const run = index ? await runs.getRunItem(index.runId as string) : undefined;
      return run ? strip<Run>(run) : undefined;
    },

    async getRun(runId) {
      const item = await runs.getRunItem(runId);
      return item ? strip<Run>(item) : undefined;
    },

    listRuns: (o) => runs.listRuns(o),

    ...createDirectoryStore({ client, tableName: TableName }),

    async createRequest(request: ApprovalRequest) {
      await putNew({ ...key.request(request.id), ...request, ttl: ttlSeconds(request.expiresAt, 90) });
    },

    async getRequest(requestId) {
      const item = await get(key.request(requestId));
      return item ? strip<ApprovalRequest>(item) : undefined;
    },

    async updateRequest(requestId, expectedVersion, changes) {
      // Only these names are ever set: the intent, requester and rule of a stored request cannot change.
      const names = (['status', 'approvals', 'updatedAt', 'rejectedBy', 'end', 'runId'] as const).filter((n) => changes[n] !== undefined);
      try {
        await client.send(
          new UpdateCommand({
            TableName,
            Key: key.request(requestId),
            UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}, #version = :next`,
            ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
            ExpressionAttributeNames: { ...Object.fromEntries(names.map((n) => [`#${n}`, n])), '#version': 'version' },
            ExpressionAttributeValues: { ...Object.fromEntries(names.map((n) => [`:${n}`, changes[n]])), ':expected': expectedVersion, ':next': expectedVersion + 1 },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    async listRequestsSince(since, limit, openAt) {
      // Ids are time-ordered: the smallest id of `since` (zero random bits) bounds the key range.
      const from = key.request(timeOrderedId('req_', { now: () => since }, { bytes: (n) => Buffer.alloc(n) })).sk;
      // DynamoDB applies Limit (and its 1 MB page) before the filter: follow the pages, or newer closed
      // requests (a flood of them) would hide every older open one.
      const found: ApprovalRequest[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const r = await client.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk AND sk >= :from',
            ...(openAt !== undefined ? { FilterExpression: '#status = :pending AND expiresAt > :openAt', ExpressionAttributeNames: { '#status': 'status' } } : {}),
            ExpressionAttributeValues: { ':pk': 'REQUESTS', ':from': from, ...(openAt !== undefined ? { ':pending': 'pending', ':openAt': openAt } : {}) },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: limit,
            ExclusiveStartKey,
          }),
        );
        found.push(...(r.Items ?? []).map((i) => strip<ApprovalRequest>(i)));
        ExclusiveStartKey = r.LastEvaluatedKey;
      } while (ExclusiveStartKey && found.length < limit);
      return found.slice(0, limit);
    },

    async putProposer(token: ProposerToken) {
      await putNew({ ...key.proposer(token.id), ...token, ttl: ttlSeconds(token.expiresAt, 90) });
    },

    async getProposer(id) {
      const item = await get(key.proposer(id));
      return item ? strip<ProposerToken>(item) : undefined;
    },

    async revokeProposer(id, at) {
      try {
        await client.send(new UpdateCommand({ TableName, Key: key.proposer(id), UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': at } }));
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    async listProposers() {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const r = await client.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'PROPOSERS' }, ConsistentRead: true, ExclusiveStartKey }));
        items.push(...(r.Items ?? []));
        ExclusiveStartKey = r.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items.map((i) => strip<ProposerToken>(i));
    },


    // Chained entries are kept for good (a TTL deletion would break the chain); `expiresAt` stays as the
    // retention class an archive may use (docs/security.md).
    appendAudit: (entry: AuditEntry) => audit.append(entry),

    listAudit: (o) => auditChain.listAudit(o),

    async recentFailures(k, since, limit) {
      const r = await client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': key.rate(k, 0).pk, ':since': key.rate(k, since).sk },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: limit,
        }),
      );
      return (r.Items ?? []).map((i) => Number(i.at));
    },

    async recordFailure(keys, at, expiresAt) {
      // One item per failure (a sliding-window log): concurrent failures never overwrite each other.
      await Promise.all(keys.map((k) => client.send(new PutCommand({ TableName, Item: { ...key.rate(k, at, randomBytes(6).toString('hex')), at, ttl: ttlSeconds(expiresAt, 0) } }))));
    },
  };
}
