/**
 * Names every JavaScript object already has (`constructor`, `toString`, …). A parameter or group named so
 * becomes a key of stored maps (params, labels, a rule's groups): DynamoDB's converter refuses a map whose
 * `constructor` is not Object's (a 500 at confirm), and every `map[name]` lookup would find the
 * prototype's member for a missing entry. Job definitions may not use them.
 */
const MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

export const isObjectMember = (name: string) => MEMBERS.has(name);
export const OBJECT_MEMBER_MESSAGE = 'is a name every JavaScript object already has (constructor, toString, …): choose another';
