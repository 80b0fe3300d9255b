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

export const APPROVE_BUTTON = 0;
export const SHOW_ALL_BUTTON = 2;

export function createApprovalDialog(o: { show: MessageBoxLike['showMessageBox']; now: () => number }) {
  return async (review: ApprovalReview): Promise<boolean> => {
    // A long target (a whole inline script) is shortened; "Show all" shows the same review again, whole.
    let full = !reviewIsShortened(review);
    for (;;) {
      const { message, detail } = reviewText(review, o.now(), { full });
      const { response } = await o.show({
        type: 'question',
        title: 'keylaunch: approve with your key?',
        message,
        detail,
        buttons: full ? ['Approve, then touch my key', 'Decline'] : ['Approve, then touch my key', 'Decline', 'Show all'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      });
      if (response === SHOW_ALL_BUTTON && !full) {
        full = true;
        continue;
      }
      return response === APPROVE_BUTTON;
    }
  };
}
