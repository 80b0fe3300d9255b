import { reviewIsShortened, reviewText, type ApprovalReview } from '../approvalReview';

/**
 * The trusted path's window: a native, modal message box drawn by the OS for main, which no renderer
 * can draw over, script or click. The safe answer is the default (Enter or Escape declines).
 */
export interface MessageBoxLike {
  showMessageBox(options: {
    type: 'question';
    title: string;
    message: string;
    detail: string;
    buttons: string[];
    defaultId: number;
    cancelId: number;
    noLink: boolean;
  }): Promise<{ response: number }>;
}

/** The buttons' places in a review that may be approved at once (a shortened one's third is "Show all"). */
export const APPROVE_BUTTON = 0;
export const SHOW_ALL_BUTTON = 2;

type Choice = 'approve' | 'decline' | 'show_all';
const LABELS: Record<Choice, string> = { approve: 'Approve, then touch my key', decline: 'Decline', show_all: 'Show all' };

export function createApprovalDialog(o: { show: MessageBoxLike['showMessageBox']; now: () => number }) {
  return async (review: ApprovalReview): Promise<boolean> => {
    // A long target (a whole inline script) is shortened; "Show all" shows the same review again, whole.
    let full = !reviewIsShortened(review);
    // Approving someone else's request (a proposer's parameters, a colleague's): only once every value was
    // shown whole, so nothing can hide in the middle of a shortened one. Declining needs no reading.
    const mustSeeAll = review.purpose === 'approve';
    for (;;) {
      const { message, detail } = reviewText(review, o.now(), { full });
      const choices: Choice[] = full ? ['approve', 'decline'] : mustSeeAll ? ['show_all', 'decline'] : ['approve', 'decline', 'show_all'];
      const { response } = await o.show({
        type: 'question',
        title: 'keylaunch: approve with your key?',
        message,
        detail,
        buttons: choices.map((c) => (c === 'show_all' && mustSeeAll ? 'Show all to approve' : LABELS[c])),
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      });
      const choice = choices[response];
      if (choice === 'show_all') {
        full = true;
        continue;
      }
      return choice === 'approve';
    }
  };
}
