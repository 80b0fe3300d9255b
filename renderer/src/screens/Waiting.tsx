import { useEffect, useState } from 'react';
import type { RequestView } from '../../../backend/core/requestViews';
import type { Run } from '../../../backend/core/model';
import type { Decision, RequestLists } from '../../../electron/shared/desktopApi';
import { useApp } from '../appContext';
import { unwrap, useTouchFlow } from '../useTouchFlow';
import { useMyKeys } from '../myKeys';
import { TouchPrompt } from '../components/TouchPrompt';
import { ErrorPanel } from '../components/ErrorPanel';
import { RequestFacts, askedBy, jobTitle, stillNeeded } from '../components/RequestFacts';
import { myRequests } from '../myRequests';

/** What the person's last decision did, said once it is recorded. */
type Decided = { decision: Decision; request: RequestView; run?: Run };

/**
 * "Waiting for you" (issue 16 §1): requests this person may approve or reject, each with the same facts
 * the requester reviewed, and their own open requests with their progress. A decision goes through main's
 * review (a native dialog with the request as it will run) and then this person's own touch.
 */
export function Waiting(props: { focus?: string; refreshed: number; onCount: (n: number) => void; onOpenRun: (run: Run) => void }) {
  const { desktop } = useApp();
  const [lists, setLists] = useState<RequestLists | undefined>();
  const [error, setError] = useState<{ code: string; message: string } | undefined>();
  const [decided, setDecided] = useState<Decided | undefined>();
  // The person's requests that are no longer open: how each ended (the verifier lists only open ones).
  const [closed, setClosed] = useState<RequestView[]>([]);
  const flow = useTouchFlow();
  const keys = useMyKeys();

  const load = async () => {
    const r = await desktop.listRequests();
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setLists(r.value);
    props.onCount(r.value.waiting.length);
    for (const m of r.value.mine) myRequests.remember(m.id);
    const open = new Set(r.value.mine.map((m) => m.id));
    const ended = await Promise.all(myRequests.all().filter((id) => !open.has(id)).map((requestId) => desktop.getRequest({ requestId })));
    setClosed(ended.flatMap((g) => (g.ok ? [g.value.request] : [])).reverse());
  };
  // Main's watcher read the requests again (props.refreshed): so does the list.
  useEffect(() => {
    void load();
  }, [props.refreshed]);

  // A notification's click names a request: bring it into view.
  useEffect(() => {
    if (props.focus && lists) document.getElementById(`request-${props.focus}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [props.focus, lists]);

  const decide = async (request: RequestView, decision: Decision) => {
    setDecided(undefined);
    const done = await flow.run(async (touch) => {
      touch.working('Preparing…');
      const started = unwrap(await desktop.startDecision({ requestId: request.id, decision }));
      const verb = decision === 'approve' ? 'approve' : 'reject';
      const assertion = await touch.get(started.options, started.expiresAt, `Touch your security key to ${verb} ${askedBy(started.request)}’s run of ${jobTitle(started.request)}`, {
        summary: `${decision === 'approve' ? 'Approve' : 'Reject'} ${askedBy(started.request)}’s run of ${jobTitle(started.request)} (${started.request.job.name})`,
        fingerprint: started.fingerprint,
      });
      return unwrap(await desktop.finishDecision({ requestId: request.id, decision, intentId: started.intentId, assertion }));
    });
    if (done) setDecided({ decision, ...done });
    await load();
  };

  const openRun = async (runId: string) => {
    const r = await desktop.getRun({ runId });
    if (r.ok) props.onOpenRun(r.value.run);
    else setError(r.error);
  };

  return (
    <main aria-labelledby="waiting-title">
      <h1 id="waiting-title">Waiting for you</h1>
      {error ? <ErrorPanel code={error.code} message={error.message} onRetry={() => void load()} /> : null}
      {decided ? <DecidedPanel decided={decided} onOpenRun={(id) => void openRun(id)} /> : null}
      {lists && lists.waiting.length === 0 ? <p className="muted">Nothing is waiting for your approval.</p> : null}
      {(lists?.waiting ?? []).map((r) => (
        <section key={r.id} id={`request-${r.id}`} className={`panel request${props.focus === r.id ? ' focused' : ''}`} aria-labelledby={`request-${r.id}-title`}>
          <h2 id={`request-${r.id}-title`}>
            {jobTitle(r)} for {askedBy(r)}
          </h2>
          <RequestFacts request={r} idPrefix={`waiting-${r.id}`} />
          <div className="actions">
            <button type="button" className="primary" onClick={() => void decide(r, 'approve')} aria-label={`Approve ${askedBy(r)}’s run of ${jobTitle(r)}`}>
              Approve
            </button>
            <button type="button" className="danger" onClick={() => void decide(r, 'reject')} aria-label={`Reject ${askedBy(r)}’s run of ${jobTitle(r)}`}>
              Reject
            </button>
          </div>
        </section>
      ))}
      <h2 id="mine-title">Your requests</h2>
      {lists && lists.mine.length === 0 && closed.length === 0 ? <p className="muted">You have no requests waiting for other people.</p> : null}
      {lists && (lists.mine.length || closed.length) ? (
        <ul className="plain" aria-labelledby="mine-title">
          {[...lists.mine, ...closed].map((r) => (
            <li key={r.id} className="panel">
              <strong>{jobTitle(r)}</strong> <span className={`badge status-${r.status}`}>{requestWord(r)}</span>{' '}
              <span className="muted">
                approved by {r.approvals.length ? r.approvals.map((a) => a.userName).join(', ') : 'nobody yet'}
                {r.status === 'pending' ? `; still needs ${stillNeeded(r)}; open until ${new Date(r.expiresAt).toLocaleTimeString()}` : ''}; fingerprint{' '}
                <code>{r.fingerprint}</code>
              </span>{' '}
              {r.runId ? (
                <button type="button" className="link" onClick={() => void openRun(r.runId!)} aria-label={`Open the run of ${jobTitle(r)} (${r.fingerprint})`}>
                  Open the run
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <TouchPrompt state={flow.state} onCancel={flow.cancel} onDismiss={flow.reset} keys={keys} doneText="Recorded." />
    </main>
  );
}

/** A request's state in a word or two: "rejected by bob", not a bare status. */
function requestWord(r: RequestView): string {
  if (r.status === 'pending') return 'waiting for approval';
  if (r.status === 'rejected') return `rejected by ${r.rejectedBy?.userName ?? 'an approver'}`;
  if (r.status === 'launched') return 'launched';
  return r.status === 'expired' ? 'expired: not launched' : 'ended: not launched';
}

function DecidedPanel(props: { decided: Decided; onOpenRun: (runId: string) => void }) {
  const { decision, request: r, run } = props.decided;
  const whose = `${askedBy(r)}’s run of ${jobTitle(r)}`;
  const text =
    decision === 'reject'
      ? `You rejected ${whose}: it will not run.`
      : run
        ? `You approved ${whose}: the run launched.`
        : r.status === 'pending'
          ? `You approved ${whose}. It still needs ${stillNeeded(r)}.`
          : `You approved ${whose}; it is ${r.status}.`;
  return (
    <section className="panel" role="status" aria-labelledby="decided-title">
      <h2 id="decided-title">{text}</h2>
      {run ? (
        <button type="button" onClick={() => props.onOpenRun(run.id)}>
          Open the run
        </button>
      ) : null}
    </section>
  );
}
