import { reviewText, type ApprovalReview } from '../approvalReview';

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

export function createApprovalDialog(o: { show: MessageBoxLike['showMessageBox']; now: () => number }) {
  return async (review: ApprovalReview): Promise<boolean> => {
    const { message, detail } = reviewText(review, o.now());
    const { response } = await o.show({
      type: 'question',
      title: 'keylaunch: approve with your key?',
      message,
      detail,
      buttons: ['Approve, then touch my key', 'Decline'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    return response === APPROVE_BUTTON;
  };
}
