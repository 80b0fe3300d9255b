import { KeylaunchError } from '../../backend/core/errors';
import type { AdminGrant, ApprovalRequest, ProposerToken, AuditEntry, ChallengeRecord, Credential, Invite, Role, Run, User } from '../../backend/core/model';
import type { AuditChainStore, AuditHead, ConsumeResult, CounterResult, HeadSignature, HeadSigner, Page, RequestChanges, Store } from '../../backend/core/ports';
import { createAuditAppender } from '../../backend/core/auditLog';

/**
 * The audit chain's storage in memory, with the DynamoDB adapter's rules: the head moves by a
 * compare-and-set, the newest entry lives in the head until the next append copies it out. Shared by
 * several MemoryStores, it stands for one table written by several verifier processes.
 */
export class MemoryAuditChain implements AuditChainStore {
  head: AuditHead | undefined;
  /** Copied entries by seq: tests edit, remove and insert here to tamper with the chain. */
  entries = new Map<number, AuditEntry>();
  signatures = new Map<number, HeadSignature>();
  private clone = <T>(v: T): T => structuredClone(v);
  async readAuditHead() {
    await Promise.resolve(); // a round trip: let other writers interleave
    return this.clone(this.head);
  }
  async advanceAuditHead(expected: AuditHead | undefined, next: AuditHead) {
    await Promise.resolve();
    if (expected && !this.entries.has(expected.seq)) this.entries.set(expected.seq, this.clone(expected.entry));
    const current = this.head;
    if (current ? !expected || current.seq !== expected.seq || current.hash !== expected.hash : expected !== undefined) return false;
    this.head = this.clone(next);
    return true;
  }
  async putHeadSignature(s: HeadSignature) {
    if (!this.signatures.has(s.seq)) this.signatures.set(s.seq, this.clone(s));
  }
  async readAuditChain() {
    const entries = [...this.entries.values()];
    if (this.head && !this.entries.has(this.head.seq)) entries.push(this.head.entry);
    return this.clone({ entries, signatures: [...this.signatures.values()], ...(this.head ? { head: this.head } : {}) });
  }
}

/**
 * An in-memory Store with the same rules as the DynamoDB adapter (single use, expiry in the check,
 * counters upward only). For the bench: the core's own time, with no storage cost at all.
 */
export class MemoryStore implements Store {
  private users = new Map<string, User>();
  private names = new Map<string, string>();
  private credentials = new Map<string, Credential>();
  private invites = new Map<string, Invite>();
  private challenges = new Map<string, ChallengeRecord>();
  private endedSessions = new Set<string>();
  private runs = new Map<string, Run>();
  readonly auditChain: MemoryAuditChain;
  private audit: ReturnType<typeof createAuditAppender>;
  constructor(o: { auditChain?: MemoryAuditChain; signer?: HeadSigner } = {}) {
    this.auditChain = o.auditChain ?? new MemoryAuditChain();
    this.audit = createAuditAppender({ chain: this.auditChain, ...(o.signer ? { signer: o.signer } : {}) });
  }
  private failures = new Map<string, number[]>();
  private clone = <T>(v: T): T => structuredClone(v);

  async getUserByName(name: string) {
    const id = this.names.get(name);
    return id ? this.clone(this.users.get(id)) : undefined;
  }
  async getUserWithCredentials(userId: string) {
    const user = this.users.get(userId);
    if (!user) return undefined;
    return this.clone({ user, credentials: [...this.credentials.values()].filter((c) => c.userId === userId) });
  }
  async createUser(user: User) {
    if (this.names.has(user.name)) throw new KeylaunchError('user_exists', `User ${user.name} already exists.`);
    this.names.set(user.name, user.id);
    this.users.set(user.id, this.clone(user));
  }
  async setUserDisabled(userId: string, disabled: boolean) {
    const u = this.users.get(userId);
    if (u) u.disabled = disabled;
  }
  async putCredential(c: Credential) {
    this.credentials.set(`${c.userId}/${c.id}`, this.clone(c));
  }
  async setCredentialState(userId: string, id: string, state: { revokedAt?: number; suspendedAt?: number }) {
    Object.assign(this.credentials.get(`${userId}/${id}`) ?? {}, state);
  }
  async advanceCounter(userId: string, id: string, next: number, now: number): Promise<CounterResult> {
    const c = this.credentials.get(`${userId}/${id}`);
    if (!c || c.revokedAt !== undefined || c.suspendedAt !== undefined) return 'inactive';
    if (!(c.counter < next || (c.counter === 0 && next === 0))) return 'regressed';
    c.counter = next;
    c.lastUsedAt = now;
    return 'advanced';
  }
  async putInvite(invite: Invite) {
    this.invites.set(invite.codeHash, this.clone(invite));
  }
  async getInvite(hash: string) {
    return this.clone(this.invites.get(hash));
  }
  async redeemInvite(hash: string, now: number) {
    const i = this.invites.get(hash);
    if (!i || i.redeemedAt !== undefined || i.expiresAt <= now) return false;
    i.redeemedAt = now;
    return true;
  }
  async endSession(sessionId: string) {
    this.endedSessions.add(sessionId);
  }
  async isSessionEnded(sessionId: string) {
    return this.endedSessions.has(sessionId);
  }
  async putChallenge(record: ChallengeRecord) {
    this.challenges.set(record.intentId, this.clone(record));
  }
  async consumeChallenge(intentId: string, now: number): Promise<ConsumeResult> {
    const r = this.challenges.get(intentId);
    if (!r) return { ok: false, reason: 'unknown' };
    if (r.consumedAt !== undefined) return { ok: false, reason: 'used' };
    if (r.expiresAt <= now) return { ok: false, reason: 'expired' };
    r.consumedAt = now;
    return { ok: true, record: this.clone(r) };
  }
  private reserved = new Map<string, string>();
  async reserveRun(intentId: string, runId: string) {
    if (this.reserved.has(intentId)) throw new Error('run exists for this intent');
    this.reserved.set(intentId, runId);
  }
  async createRun(run: Run) {
    if (this.runs.has(run.id)) throw new Error('run exists');
    this.runs.set(run.id, this.clone(run));
  }
  async updateRun(run: Run) {
    this.runs.set(run.id, this.clone(run));
  }
  async getRunByIntent(intentId: string) {
    const runId = this.reserved.get(intentId);
    return runId ? this.clone(this.runs.get(runId)) : undefined;
  }
  async getRun(id: string) {
    return this.clone(this.runs.get(id));
  }
  async listRuns({ limit }: { limit: number }): Promise<Page<Run>> {
    return { items: [...this.runs.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, limit) };
  }
  private grants = new Map<string, AdminGrant>();
  async readDirectory() {
    const credentials = [...this.credentials.values()];
    return this.clone({
      people: [...this.users.values()].map((user) => ({ user, credentials: credentials.filter((c) => c.userId === user.id) })),
      invites: [...this.invites.values()],
      grants: [...this.grants.values()],
    });
  }
  private requests = new Map<string, ApprovalRequest>();
  async createRequest(request: ApprovalRequest) {
    if (this.requests.has(request.id)) throw new Error('request exists');
    this.requests.set(request.id, this.clone(request));
  }
  async getRequest(id: string) {
    return this.clone(this.requests.get(id));
  }
  async updateRequest(id: string, expectedVersion: number, changes: RequestChanges) {
    const r = this.requests.get(id);
    if (!r || r.version !== expectedVersion) return false;
    Object.assign(r, this.clone(changes), { version: expectedVersion + 1 });
    return true;
  }
  async listRequestsSince(since: number, limit: number, openAt?: number) {
    return [...this.requests.values()].filter((r) => r.createdAt >= since && (openAt === undefined || (r.status === 'pending' && r.expiresAt > openAt))).sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, limit).map(this.clone);
  }
  private proposers = new Map<string, ProposerToken>();
  async putProposer(token: ProposerToken) {
    if (this.proposers.has(token.id)) throw new Error('proposer exists');
    this.proposers.set(token.id, this.clone(token));
  }
  async getProposer(id: string) {
    return this.clone(this.proposers.get(id));
  }
  async revokeProposer(id: string, at: number) {
    const t = this.proposers.get(id);
    if (!t) return false;
    t.revokedAt ??= at;
    return true;
  }
  async listProposers() {
    return [...this.proposers.values()].map(this.clone);
  }
  async setUserRole(userId: string, role: Role) {
    const u = this.users.get(userId);
    if (u) u.role = role;
  }
  async setUserGroups(userId: string, groups: string[]) {
    const u = this.users.get(userId);
    if (u) u.groups = [...groups];
  }
  async cancelInvite(hash: string, now: number) {
    const i = this.invites.get(hash);
    if (!i || i.redeemedAt !== undefined || i.expiresAt <= now) return false;
    Object.assign(i, { canceledAt: now, expiresAt: now });
    return true;
  }
  async putAdminGrant(grant: AdminGrant) {
    this.grants.set(grant.id, this.clone(grant));
  }
  async approveAdminGrant(id: string, approverId: string, now: number) {
    const g = this.grants.get(id);
    if (!g || g.approvedAt !== undefined || g.expiresAt <= now || g.requestedBy === approverId) return false;
    Object.assign(g, { approvedBy: approverId, approvedAt: now });
    return true;
  }
  async appendAudit(entry: AuditEntry) {
    await this.audit.append(entry);
  }
  async listAudit({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const below = cursor === undefined ? Infinity : Number(Buffer.from(cursor, 'base64url').toString());
    if (!Number.isSafeInteger(below) && below !== Infinity) throw new KeylaunchError('bad_request', 'Invalid cursor.');
    const { entries } = await this.auditChain.readAuditChain();
    const items = entries.filter((e) => e.seq! < below).sort((a, b) => b.seq! - a.seq!).slice(0, limit);
    const more = items.length === limit && items.at(-1)!.seq! > 1;
    return { items, ...(more ? { cursor: Buffer.from(String(items.at(-1)!.seq)).toString('base64url') } : {}) };
  }
  async recentFailures(key: string, since: number, limit: number) {
    return (this.failures.get(key) ?? []).filter((t) => t >= since).sort((a, b) => b - a).slice(0, limit);
  }
  async recordFailure(keys: string[], at: number) {
    for (const k of keys) this.failures.set(k, [...(this.failures.get(k) ?? []), at]);
  }
}
