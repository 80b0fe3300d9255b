import type { RequestView } from '../../../backend/core/requestViews';

/**
 * A confirmation that opened a pending request instead of launching (a job whose `approvals` need more
 * people, issue 16): says so plainly, so the person does not take silence for a launch or touch again.
 * Approving it is other people's touch; the run launches on the last approval.
 */
export function PendingRequest(props: { request: RequestView }) {
  const r = props.request;
  const groups = Object.entries(r.missing.groups).filter(([, n]) => n > 0);
  const who = groups.length ? ` (${groups.map(([g, n]) => `${n} from ${g}`).join(', ')})` : '';
  return (
    <section className="panel" role="status" aria-labelledby="pending-title">
      <h2 id="pending-title">Waiting for approval: not launched yet</h2>
      <p>
        {r.approvals.length ? 'Your approval is recorded. ' : ''}This job needs {r.missing.people} more {r.missing.people === 1 ? 'person' : 'people'}
        {who} to approve it with their own key. It launches on the last approval, once.
      </p>
      <dl className="facts">
        <dt>Request</dt>
        <dd>
          <code>{r.id}</code>
        </dd>
        <dt>Fingerprint</dt>
        <dd>
          <code className="fingerprint">{r.fingerprint}</code>
          <span className="muted small block">Approvers see the same code for the same request.</span>
        </dd>
        <dt>Open until</dt>
        <dd>{new Date(r.expiresAt).toLocaleString()}</dd>
      </dl>
    </section>
  );
}
