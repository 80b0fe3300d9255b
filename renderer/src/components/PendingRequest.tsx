import { useEffect, useState } from 'react';
import type { RequestView } from '../../../backend/core/requestViews';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { RequestFacts, stillNeeded } from './RequestFacts';

/** How often the requester's panel reads its request while it is open, and at most after failures. */
const FOLLOW_MS = 2000;
const MAX_MS = 30_000;

/**
 * A confirmation that opened a pending request instead of launching (a job whose `approvals` need more
 * people, issue 16): says so plainly, so the person does not take silence for a launch or touch again.
 * It follows the request (passive reads, which never hold off the idle lock): on the last approval it
 * turns into the run; a rejection, expiry or end says who or why.
 */
export function PendingRequest(props: { request: RequestView; onLaunched?: (run: Run) => void }) {
  const { desktop } = useApp();
  const [r, setRequest] = useState(props.request);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = FOLLOW_MS;
    const follow = async () => {
      const got = await desktop.getRequest({ requestId: props.request.id });
      if (stopped) return;
      if (got.ok) {
        delay = FOLLOW_MS;
        setRequest(got.value.request);
        if (got.value.request.status !== 'pending') {
          const runId = got.value.request.runId;
          if (runId && props.onLaunched) {
            const run = await desktop.getRun({ runId });
            if (!stopped && run.ok) props.onLaunched(run.value.run);
          }
          return;
        }
      } else {
        if (got.error.code === 'locked') return; // unlocking again starts over
        delay = Math.min(MAX_MS, delay * 2);
      }
      timer = setTimeout(() => void follow(), delay);
    };
    timer = setTimeout(() => void follow(), FOLLOW_MS);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [desktop, props.request.id]);

  const heading =
    r.status === 'launched'
      ? 'Approved: the run launched'
      : r.status === 'rejected'
        ? `Rejected by ${r.rejectedBy?.userName ?? 'an approver'}: not launched`
        : r.status === 'expired'
          ? 'Expired before enough approvals: not launched'
          : r.status === 'ended'
            ? 'Ended: not launched'
            : 'Waiting for approval: not launched yet';
  return (
    <section className={`panel${r.status === 'pending' || r.status === 'launched' ? '' : ' error'}`} role="status" aria-labelledby="pending-title">
      <h2 id="pending-title">{heading}</h2>
      {r.status === 'pending' ? (
        <p>
          {r.approvals.length ? 'Your approval is recorded. ' : ''}This job needs {stillNeeded(r)} to approve it with their own key. It launches on the last
          approval, once. They see it under “Waiting for you”, with the same fingerprint.
        </p>
      ) : null}
      {r.end ? <p>{r.end.message}</p> : null}
      <dl className="facts">
        <dt>Request</dt>
        <dd>
          <code>{r.id}</code>
        </dd>
      </dl>
      <RequestFacts request={r} idPrefix="pending" />
    </section>
  );
}
