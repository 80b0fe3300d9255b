import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient, DocumentOperation } from './documentCommands';

const SDK_COMMANDS: Record<DocumentOperation, new (input: never) => never> = {
  GetItem: GetCommand as never,
  PutItem: PutCommand as never,
  UpdateItem: UpdateCommand as never,
  DeleteItem: DeleteCommand as never,
  Query: QueryCommand as never,
  Scan: ScanCommand as never,
};

/** The store's commands sent through the SDK's DocumentClient (local mode, the CLIs, tests). */
export function sdkDocuments(client: DynamoDBDocumentClient): DocumentClient {
  return { send: (command) => client.send(new SDK_COMMANDS[command.operation](command.input as never)) as never };
}
