import { useState, type FormEvent } from 'react';
import type { JobSummary } from '../../../backend/core/queries';
import type { ParamDeclaration } from '../../../backend/core/job';
import type { Run } from '../../../backend/core/model';
import type { PreparedRun } from '../../../backend/core/runs';
import { useApp } from '../appContext';
import { initialValues, recheck, validateForm, type FormValues } from '../paramForm';
import { fillPlaceholders } from '../../../backend/core/placeholders';
import { FormErrors } from '../components/FormErrors';
import { FlowError, unwrap, useTouchFlow } from '../useTouchFlow';
import { TouchPrompt } from '../components/TouchPrompt';
import { ParamField } from '../components/ParamField';
import { ParamList } from '../components/ParamList';
import { RunAgainNote } from '../components/RunAgainNote';
import { runAgain } from '../runs/runAgain';
import { useMyKeys } from '../myKeys';
import { drafts } from '../drafts';
import { PendingRequest } from '../components/PendingRequest';
import { myRequests } from '../myRequests';
import type { RequestView } from '../../../backend/core/requestViews';
import { runHeading } from '../runs/runStatus';

/**
 * A job's form, then the review: exactly what will run and its fingerprint, while the key waits for a
 * touch. The verifier binds the approval to that intent; the fingerprint lets the person check it.
 */
export function RunJob(props: { job: JobSummary; onLaunched: (run: Run) => void; onBack: () => void; from?: Run }) {
  const { desktop } = useApp();
  const declared = props.job.params as ParamDeclaration[];
  // "Run again": the earlier run's non-secret values, and what changed since (issue 12 §5).
  const [again] = useState(() => (props.from ? runAgain(declared, props.from, props.job.versions) : undefined));
  // A form survives a lock and unlock (and leaving and coming back): its non-secret values are kept as a draft.
  const [values, setValuesNow] = useState<FormValues>(() => again?.values ?? drafts.restore(props.job.name, declared, initialValues(declared)));
  const setValue = (name: string, v: string | boolean) => {
    const next = { ...values, [name]: v };
    setValuesNow(next);
    drafts.keep(props.job.name, declared, next);
    // An error goes away as soon as the field is fixed (not at the next submit).
    if (errors[name]) setErrors(({ [name]: _, ...rest }) => ({ ...rest, ...(recheck(declared, next, name) ? { [name]: recheck(declared, next, name)! } : {}) }));
  };
  const [attempt, setAttempt] = useState(0);
  const keys = useMyKeys();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [prepared, setPrepared] = useState<PreparedRun | undefined>();
  const needsMfa = props.job.mfaCode === 'required';
  const [mfaCode, setMfaCode] = useState('');
  const flow = useTouchFlow();
  // A job that needs more people's approvals answers a pending request, not a run (issue 16).
  const [pending, setPending] = useState<RequestView | undefined>();
  // The run the approval became: the done text uses its truthful word (a failed start is "Not launched").
  const [outcome, setOutcome] = useState<Run | undefined>();

  const start = async (e?: FormEvent) => {
    e?.preventDefault();
    const checked = validateForm(declared, values);
    const mfa = mfaCode.replace(/[\s-]/g, '');
    if (needsMfa && !/^\d{6}$/.test(mfa)) checked.errors.mfaCode = /[^\d\s-]/.test(mfaCode) ? 'Digits only: six digits from your MFA device.' : 'Six digits from your MFA device.';
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length > 0) return setAttempt((a) => a + 1);
    setPrepared(undefined);
    setPending(undefined);
    const answer = await flow.run(async (touch) => {
      touch.working('Preparing…');
      const prep = unwrap(await desktop.prepareRun({ job: props.job.name, params: checked.params }));
      setPrepared(prep);
      const assertion = await touch.get(prep.options, prep.expiresAt, `Touch your security key to run ${props.job.title}`, {
        summary: `Run ${prep.job.title} (${prep.job.name})`,
        fingerprint: prep.fingerprint,
      });
      const answer = unwrap(await desktop.confirmRun({ intentId: prep.intentId, assertion, secrets: checked.secrets, ...(needsMfa ? { mfaCode: mfa } : {}) }));
      if ('run' in answer) setOutcome(answer.run); // before the sheet says done, so its words are the run's from the start
      return answer;
    });
    if (!answer) return;
    drafts.drop(props.job.name);
    if ('request' in answer) {
      myRequests.remember(answer.request.id);
      return setPending(answer.request);
    }
    props.onLaunched(answer.run);
  };

  // The answer to an approved confirmation was lost (run_outcome_unknown): ask what the approval
  // became, by its intent. "Try again" here would be a second run of a job that may be running.
  const checkAgain = async (intentId: string) => {
    const run = await flow.run(async (touch) => {
      touch.working('Checking whether the run started…');
      const found = unwrap(await desktop.listRuns({ intentId })).runs[0];
      if (!found) throw new FlowError('run_outcome_unknown', 'No run from this approval is recorded yet.');
      setOutcome(found);
      return found;
    });
    if (run) props.onLaunched(run);
  };
  const outcomeUnknown = flow.state.phase === 'failed' && flow.state.code === 'run_outcome_unknown' && prepared ? prepared.intentId : undefined;

  const failedFields = flow.state.phase === 'failed' && flow.state.code === 'params_invalid' ? (flow.state.details?.fields as Record<string, string> | undefined) : undefined;
  return (
    <main aria-labelledby="run-title">
      <button type="button" className="link" onClick={props.onBack}>
        ← Jobs
      </button>
      <h1 id="run-title">{props.job.title}</h1>
      {props.job.description ? <p>{props.job.description}</p> : null}
      <p className="muted small">
        Runs: <code>{preview(props.job.target ?? '', values, declared)}</code>
        {props.job.userVerification === 'required' ? ' · needs your key’s PIN or biometric' : ''}
      </p>
      {props.from && again ? <RunAgainNote run={props.from} changes={again.changes} /> : null}
      <FormErrors errors={errors} attempt={attempt} idOf={(n) => (n === 'mfaCode' ? 'mfa-code' : `param-${n}`)} labels={{ ...Object.fromEntries(declared.map((p) => [p.name, p.title ?? p.name])), mfaCode: 'MFA code' }} />
      <form
        className="form"
        onSubmit={start}
        noValidate
        onKeyDown={(e) => {
          // Ctrl+Enter runs from any field (Enter alone does not submit from a select or a checkbox).
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) (e.preventDefault(), void start());
        }}
      >
        {declared.map((p) => (
          <ParamField key={p.name} param={p} value={values[p.name]!} error={errors[p.name] ?? failedFields?.[p.name]} onChange={(v) => setValue(p.name, v)} />
        ))}
        {needsMfa ? (
          <div className={`field${errors.mfaCode ?? failedFields?.mfaCode ? ' invalid' : ''}`}>
            <label htmlFor="mfa-code">MFA code (required)</label>
            <input
              id="mfa-code"
              type="password"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={9}
              value={mfaCode}
              aria-invalid={errors.mfaCode ?? failedFields?.mfaCode ? true : undefined}
              aria-describedby={`mfa-code-help${errors.mfaCode ?? failedFields?.mfaCode ? ' mfa-code-error' : ''}`}
              onChange={(e) => {
                // Letters are not dropped silently: they stay, and the field says digits only.
                setMfaCode(e.target.value);
                if (errors.mfaCode && /^\d{6}$/.test(e.target.value.replace(/[\s-]/g, ''))) setErrors(({ mfaCode: _, ...rest }) => rest);
              }}
            />
            <span id="mfa-code-help" className="muted small">
              Six digits. Passed to the job for its own role assumption; never stored.
            </span>
            {errors.mfaCode ?? failedFields?.mfaCode ? (
              <span id="mfa-code-error" className="field-error">
                {errors.mfaCode ?? failedFields?.mfaCode}
              </span>
            ) : null}
          </div>
        ) : null}
        {declared.length === 0 && !needsMfa ? <p className="muted">This job takes no parameters.</p> : null}
        <div className="actions">
          <button type="submit" className="primary">
            Review and run
          </button>
        </div>
      </form>
      {pending ? <PendingRequest request={pending} onLaunched={props.onLaunched} /> : null}
      {prepared && (SHOWS_REVIEW.has(flow.state.phase) || outcomeUnknown) ? (
        <section className="panel review" aria-labelledby="review-title">
          <h2 id="review-title">You are approving</h2>
          <dl className="facts">
            <dt>Job</dt>
            <dd>{prepared.job.title} ({prepared.job.name})</dd>
            <dt>Runs</dt>
            <dd>
              <Target text={prepared.job.target} />
            </dd>
            <dt>Parameters</dt>
            <dd>
              <ParamList params={prepared.params} secretNames={prepared.secretParams} labels={prepared.labels} />
            </dd>
            <dt>Fingerprint</dt>
            <dd>
              <code className="fingerprint" aria-label={`Fingerprint ${prepared.fingerprint.split('').join(' ')}`}>
                {prepared.fingerprint}
              </code>
              <span className="muted small block">The same code appears in the approval dialog and on the run record.</span>
            </dd>
            {again?.changes.length ? (
              <>
                <dt>Changed since the run you repeat</dt>
                <dd>
                  <ul className="changes">
                    {again.changes.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </dd>
              </>
            ) : null}
          </dl>
        </section>
      ) : null}
      <TouchPrompt
        state={flow.state}
        onCancel={flow.cancel}
        onDismiss={flow.reset}
        keys={keys}
        onRetry={outcomeUnknown ? () => void checkAgain(outcomeUnknown) : () => void start()}
        retryLabel={outcomeUnknown ? 'Check again' : undefined}
        doneText={outcome ? `${runHeading(outcome).word}.` : 'Approved.'}
      />
    </main>
  );
}

/** The review is on screen while its approval is alive (or launched): a cancelled, failed or expired one goes. */
const SHOWS_REVIEW = new Set(['working', 'waiting', 'verifying', 'done']);

/** What will run, with the parameters filled in: shortened, with the whole of it one click away. */
const SHORT = 120;
function Target(props: { text: string }) {
  if (props.text.length <= SHORT) return <code>{props.text}</code>;
  return (
    <details className="target">
      <summary>
        <code>{props.text.slice(0, SHORT)}…</code> <span className="small">(show all)</span>
      </summary>
      <pre className="target-full">{props.text}</pre>
    </details>
  );
}

/** The job's target as the form stands: placeholders show the values typed so far, or ‹name› while empty (or secret). */
function preview(target: string, values: FormValues, declared: ParamDeclaration[]): string {
  const secret = new Set(declared.filter((p) => p.secret).map((p) => p.name));
  const filled = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === '' || secret.has(k) ? `‹${k}›` : String(v)]));
  return fillPlaceholders(target, filled);
}
