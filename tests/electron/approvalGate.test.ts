import { describe, expect, it } from 'vitest';
import { createApprovalGate } from '../../electron/main/approvalGate';
import type { ApprovalReview } from '../../electron/main/approvalReview';

const review = (intentId: string): ApprovalReview => ({ purpose: 'run', intentId, expiresAt: Date.now() + 60_000 }) as unknown as ApprovalReview;

describe('the approval gate', () => {
  it('an answer given in a dialog that was open when the app locked accepts nothing', async () => {
    let answer!: (yes: boolean) => void;
    const gate = createApprovalGate({ ask: () => new Promise<boolean>((r) => (answer = r)), now: Date.now });
    const pending = gate.review(review('int_A'));
    gate.clear(); // the desktop locks while the dialog is open
    answer(true); // …and the person (or a stale click) says yes afterwards
    expect(await pending).toBe('declined');
    expect(gate.take('run', 'int_A')).toBe(false);
  });

  it('an answer given before any lock is used once', async () => {
    const gate = createApprovalGate({ ask: async () => true, now: Date.now });
    expect(await gate.review(review('int_B'))).toBe('accepted');
    expect(gate.take('run', 'int_B')).toBe(true);
    expect(gate.take('run', 'int_B')).toBe(false);
  });
});
