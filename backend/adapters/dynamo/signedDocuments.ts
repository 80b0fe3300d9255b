import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type { SignedJsonClient } from '../aws/signedJsonClient';
import type { DocumentClient } from './documentCommands';

type Item = Record<string, NativeAttributeValue>;
type Wire = Record<string, any>;
// The SDK's marshaller, with the DocumentClient options the store is written for.
const toWire = (item: Item) => marshall(item, { removeUndefinedValues: true });
const fromWire = (item: Wire | undefined) => (item ? unmarshall(item) : undefined);

/**
 * The store's commands over the small signed client (the Lambda cold start): each document input is
 * marshalled as the SDK's DocumentClient marshals it, and each answer unmarshalled likewise.
 */
export function signedDocuments(dynamodb: SignedJsonClient): DocumentClient {
  return {
    async send(command) {
      const input = command.input as Wire;
      const body: Wire = { ...input };
      for (const field of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) if (input[field]) body[field] = toWire(input[field]);
      const out = await dynamodb.call<Wire>(command.operation, body);
      return {
        ...out,
        ...(out.Item ? { Item: fromWire(out.Item) } : {}),
        ...(out.Attributes ? { Attributes: fromWire(out.Attributes) } : {}),
        ...(out.Items ? { Items: (out.Items as Wire[]).map(fromWire) } : {}),
        ...(out.LastEvaluatedKey ? { LastEvaluatedKey: fromWire(out.LastEvaluatedKey) } : {}),
        $metadata: {},
      } as never;
    },
  };
}
