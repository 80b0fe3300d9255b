import type { ApprovalPurpose, ApprovalReview } from './approvalReview';

/**
 * The trusted path (issue 10 §2): main shows what a touch approves and remembers what the person
 * accepted. Options go to the renderer only after acceptance, and a confirmation is forwarded only for
 * the one intent of its kind that was shown and accepted; anything else is refused here and never
 * reaches the verifier. One review at a time; a newer review replaces an older acceptance; an
 * acceptance is used once.
 */
export type AskPerson = (review: ApprovalReview) => Promise<boolean>;

export type ReviewOutcome = 'accepted' | 'declined' | 'expired' | 'busy';

export function createApprovalGate(o: { ask: AskPerson; now: () => number }) {
  const accepted = new Map<ApprovalPurpose, { intentId: string; expiresAt: number }>();
  let open = false;
  // Bumped by a lock: an answer to a dialog that was open when the app locked belongs to the old session.
  let epoch = 0;

  return {
    async review(review: ApprovalReview): Promise<ReviewOutcome> {
      if (open) return 'busy';
      accepted.delete(review.purpose);
      open = true;
      const asked = epoch;
      let yes: boolean;
      try {
        yes = await o.ask(review);
      } finally {
        open = false;
      }
      if (!yes || asked !== epoch) return 'declined';
      if (o.now() >= review.expiresAt) return 'expired';
      accepted.set(review.purpose, { intentId: review.intentId, expiresAt: review.expiresAt });
      return 'accepted';
    },
    /** True once for the accepted intent of this kind (the acceptance is then spent). */
    take(purpose: ApprovalPurpose, intentId: string): boolean {
      const a = accepted.get(purpose);
      if (!a || a.intentId !== intentId) return false;
      accepted.delete(purpose);
      return true;
    },
    /** Locking forgets every acceptance, including one still being given in an open dialog. */
    clear: () => {
      epoch++;
      accepted.clear();
    },
  };
}
export type ApprovalGate = ReturnType<typeof createApprovalGate>;
