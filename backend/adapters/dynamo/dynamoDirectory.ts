import { PutCommand, ScanCommand, UpdateCommand, type DocumentClient } from './documentCommands';
import { isConditionFailure, strip } from './items';
import type { AdminGrant, Credential, Invite, User } from '../../core/model';
import type { Store } from '../../core/ports';
import { key, ttlSeconds } from './keys';

type DirectoryStore = Pick<Store, 'readDirectory' | 'setUserRole' | 'setUserGroups' | 'cancelInvite' | 'putAdminGrant' | 'approveAdminGrant'>;

/**
 * The Store's administration part on DynamoDB (issue 15 §4). Listing people is an admin's occasional
 * question: one filtered Scan of the table (its cost grows with the table, runs and audit included),
 * rather than an index every enrollment and invite would have to keep.
 */
export function createDirectoryStore(options: { client: DocumentClient; tableName: string }): DirectoryStore {
  const { client, tableName: TableName } = options;
  /** An update under a condition; false when the condition did not hold. */
  const conditional = async (input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) => {
    try {
      await client.send(new UpdateCommand({ TableName, ...input }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  };
  const setOnUser = (userId: string, name: string, value: unknown) =>
    client.send(
      new UpdateCommand({ TableName, Key: key.user(userId), UpdateExpression: 'SET #n = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: { '#n': name }, ExpressionAttributeValues: { ':v': value } }),
    );

  return {
    async readDirectory() {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const r = await client.send(
          new ScanCommand({
            TableName,
            ConsistentRead: true,
            FilterExpression: 'sk = :user OR sk = :invite OR sk = :grant OR begins_with(sk, :cred)',
            ExpressionAttributeValues: { ':user': 'USER', ':invite': 'INVITE', ':grant': 'GRANT', ':cred': 'CRED#' },
            ExclusiveStartKey,
          }),
        );
        items.push(...(r.Items ?? []));
        ExclusiveStartKey = r.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      const credentials = items.filter((i) => String(i.sk).startsWith('CRED#')).map((i) => strip<Credential>(i));
      return {
        people: items.filter((i) => i.sk === 'USER').map((i) => strip<User>(i)).map((user) => ({ user, credentials: credentials.filter((c) => c.userId === user.id) })),
        invites: items.filter((i) => i.sk === 'INVITE').map((i) => strip<Invite>(i)),
        grants: items.filter((i) => i.sk === 'GRANT').map((i) => strip<AdminGrant>(i)),
      };
    },

    async setUserRole(userId, role) {
      await setOnUser(userId, 'role', role);
    },

    async setUserGroups(userId, groups) {
      await setOnUser(userId, 'groups', groups);
    },

    // Expiry is what enrollment and redeemInvite check: moving it to now ends the code everywhere.
    cancelInvite: (codeHash, now) =>
      conditional({
        Key: key.invite(codeHash),
        UpdateExpression: 'SET canceledAt = :now, expiresAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(redeemedAt) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': now },
      }),

    async putAdminGrant(grant: AdminGrant) {
      await client.send(new PutCommand({ TableName, Item: { ...key.adminGrant(grant.id), ...grant, ttl: ttlSeconds(grant.expiresAt, 30) }, ConditionExpression: 'attribute_not_exists(pk)' }));
    },

    // One approval, by an admin other than the asker, before expiry: all in the write's condition.
    approveAdminGrant: (grantId, approverId, now) =>
      conditional({
        Key: key.adminGrant(grantId),
        UpdateExpression: 'SET approvedBy = :me, approvedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(approvedAt) AND expiresAt > :now AND requestedBy <> :me',
        ExpressionAttributeValues: { ':me': approverId, ':now': now },
      }),
  };
}
