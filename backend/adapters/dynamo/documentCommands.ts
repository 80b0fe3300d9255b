import type {
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The six DynamoDB document operations the store uses, as plain command objects with the SDK's own
 * input and output types, and the one interface that sends them. Two transports implement it: the SDK's
 * DocumentClient (local mode, CLIs, tests: sdkDocuments.ts) and the small signed client the Lambda cold
 * start uses (signedDocuments.ts). The store cannot tell which it has.
 */
export type DocumentOperation = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan';

export abstract class DocumentCommand<I, O> {
  abstract readonly operation: DocumentOperation;
  /** Carries the output type for `send`; never set. */
  declare readonly __output?: O;
  constructor(readonly input: I) {}
}

export class GetCommand extends DocumentCommand<GetCommandInput, GetCommandOutput> {
  readonly operation = 'GetItem';
}
export class PutCommand extends DocumentCommand<PutCommandInput, PutCommandOutput> {
  readonly operation = 'PutItem';
}
export class UpdateCommand extends DocumentCommand<UpdateCommandInput, UpdateCommandOutput> {
  readonly operation = 'UpdateItem';
}
export class DeleteCommand extends DocumentCommand<DeleteCommandInput, DeleteCommandOutput> {
  readonly operation = 'DeleteItem';
}
export class QueryCommand extends DocumentCommand<QueryCommandInput, QueryCommandOutput> {
  readonly operation = 'Query';
}

/** Only for the admin directory (Store.readDirectory): an admin's occasional read of people and invites. */
export class ScanCommand extends DocumentCommand<ScanCommandInput, ScanCommandOutput> {
  readonly operation = 'Scan';
}

export interface DocumentClient {
  send<I, O>(command: DocumentCommand<I, O>): Promise<O>;
}
