import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Credential, Invite, User } from '../../core/model';
import { key } from './keys';

export interface PersonSummary extends User {
  /** Keys neither revoked nor suspended. */
  activeKeys: number;
}

/**
 * What the admin CLI lists and cancels: people and pending invites. Not a verifier port: the verifier
 * never lists anyone, so this reads the whole table with a Scan (an admin's occasional question over a
 * small table), and stays out of the Lambda's cold start.
 */
export interface AdminDirectory {
  listPeople(): Promise<PersonSummary[]>;
  listPendingInvites(now: number): Promise<Invite[]>;
  /** Every invite ever made for the user (pending, used, canceled or expired), oldest first. */
  listInvitesFor(userName: string): Promise<Invite[]>;
  /** Cancels the user's pending invites (optionally only those `createdBy`); returns how many. */
  cancelInvites(userName: string, now: number, options?: { createdBy?: string }): Promise<number>;
  /** Every key ever registered, revoked and suspended ones included (keys are never deleted), with its owner's name. */
  listKeys(): Promise<{ userName: string; credential: Credential }[]>;
}

export function createAdminDirectory(o: { client: DynamoDBClient; tableName: string }): AdminDirectory {
  const docs = DynamoDBDocumentClient.from(o.client);
  const TableName = o.tableName;

  async function scan(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await docs.send(
        new ScanCommand({
          TableName,
          ConsistentRead: true,
          FilterExpression: 'sk = :user OR sk = :invite OR begins_with(sk, :cred)',
          ExpressionAttributeValues: { ':user': 'USER', ':invite': 'INVITE', ':cred': 'CRED#' },
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
  const strip = <T>({ pk: _pk, sk: _sk, ttl: _ttl, ...rest }: Record<string, unknown>) => rest as T;
  const isPending = (i: Invite, now: number) => i.redeemedAt === undefined && i.canceledAt === undefined && i.expiresAt > now;

  const allInvites = async () =>
    (await scan())
      .filter((i) => i.sk === 'INVITE')
      .map((i) => strip<Invite>(i))
      .sort((a, b) => a.userName.localeCompare(b.userName) || a.createdAt - b.createdAt);
  const pendingInvites = async (now: number) => (await allInvites()).filter((i) => isPending(i, now));

  return {
    async listPeople() {
      const items = await scan();
      const active = new Map<string, number>();
      for (const c of items.filter((i) => String(i.sk).startsWith('CRED#'))) {
        if (c.revokedAt === undefined && c.suspendedAt === undefined) active.set(String(c.userId), (active.get(String(c.userId)) ?? 0) + 1);
      }
      return items
        .filter((i) => i.sk === 'USER')
        .map((i) => strip<User>(i))
        .map((u) => ({ ...u, activeKeys: active.get(u.id) ?? 0 }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async listKeys() {
      const items = await scan();
      const names = new Map(items.filter((i) => i.sk === 'USER').map((i) => [String(i.id), String(i.name)]));
      return items
        .filter((i) => String(i.sk).startsWith('CRED#'))
        .map((i) => strip<Credential>(i))
        .flatMap((credential) => (names.has(credential.userId) ? [{ userName: names.get(credential.userId)!, credential }] : []))
        .sort((a, b) => a.credential.createdAt - b.credential.createdAt);
    },

    listPendingInvites: pendingInvites,
    listInvitesFor: async (userName) => (await allInvites()).filter((i) => i.userName === userName),

    async cancelInvites(userName, now, options = {}) {
      const mine = (await pendingInvites(now)).filter((i) => i.userName === userName && (options.createdBy === undefined || i.createdBy === options.createdBy));
      let canceled = 0;
      for (const invite of mine) {
        // Expiry is what enrollment and redeemInvite check: moving it to now ends the code everywhere.
        const done = await docs
          .send(
            new UpdateCommand({
              TableName,
              Key: key.invite(invite.codeHash),
              UpdateExpression: 'SET canceledAt = :now, expiresAt = :now',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(redeemedAt) AND expiresAt > :now',
              ExpressionAttributeValues: { ':now': now },
            }),
          )
          .then(() => true, (e: Error) => (e.name === 'ConditionalCheckFailedException' ? false : Promise.reject(e)));
        if (done) canceled++;
      }
      return canceled;
    },
  };
}
