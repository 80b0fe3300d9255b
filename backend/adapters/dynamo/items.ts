/** Helpers shared by the DynamoDB store's modules. */
export const isConditionFailure = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

export const strip = <T>(item: Record<string, unknown>): T => {
  // Keys and bookkeeping of the table, not of the record: the TTL and the write tokens.
  const { pk: _pk, sk: _sk, ttl: _ttl, counterWrite: _cw, consumedBy: _cb, ...rest } = item;
  return rest as T;
};
