import { useState, type FormEvent } from 'react';
import type { JobSummary } from '../../../backend/core/queries';
import type { ParamDeclaration } from '../../../backend/core/job';
import type { Run } from '../../../backend/core/model';
import type { PreparedRun } from '../../../backend/core/runs';
import { useApp } from '../appContext';
import { initialValues, validateForm, type FormValues } from '../paramForm';
import { FlowError, isBusy, unwrap, useTouchFlow } from '../useTouchFlow';
import { TouchPrompt } from '../components/TouchPrompt';
import { ParamField } from '../components/ParamField';
import { ParamList } from '../components/ParamList';
import { RunAgainNote } from '../components/RunAgainNote';
import { runAgain } from '../runs/runAgain';

/**
 * A job's form, then the review: exactly what will run and its fingerprint, while the key waits for a
 * touch. The verifier binds the approval to that intent; the fingerprint lets the person check it.
 */
export function RunJob(props: { job: JobSummary; onLaunched: (run: Run) => void; onBack: () => void; from?: Run }) {
  const { desktop } = useApp();
  const declared = props.job.params as ParamDeclaration[];
  // "Run again": the earlier run's non-secret values, and what changed since (issue 12 §5).
  const [again] = useState(() => (props.from ? runAgain(declared, props.from) : undefined));
  const [values, setValues] = useState<FormValues>(() => again?.values ?? initialValues(declared));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [prepared, setPrepared] = useState<PreparedRun | undefined>();
  const needsMfa = props.job.mfaCode === 'required';
  const [mfaCode, setMfaCode] = useState('');
  const flow = useTouchFlow();

  const start = async (e?: FormEvent) => {
    e?.preventDefault();
    const checked = validateForm(declared, values);
    if (needsMfa && !/^\d{6}$/.test(mfaCode.trim())) checked.errors.mfaCode = 'Six digits from your MFA device.';
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length > 0) return;
    setPrepared(undefined);
    const run = await flow.run(async (touch) => {
      touch.working('Preparing…');
      const prep = unwrap(await desktop.prepareRun({ job: props.job.name, params: checked.params }));
      setPrepared(prep);
      const assertion = await touch.get(prep.options, prep.expiresAt, `Touch your security key to run ${props.job.title}`);
      return unwrap(await desktop.confirmRun({ intentId: prep.intentId, assertion, secrets: checked.secrets, ...(needsMfa ? { mfaCode: mfaCode.trim() } : {}) })).run;
    });
    if (run) props.onLaunched(run);
  };

  // The answer to an approved confirmation was lost (run_outcome_unknown): ask what the approval
  // became, by its intent. "Try again" here would be a second run of a job that may be running.
  const checkAgain = async (intentId: string) => {
    const run = await flow.run(async (touch) => {
      touch.working('Checking whether the run started…');
      const found = unwrap(await desktop.listRuns({ intentId })).runs[0];
      if (!found) throw new FlowError('run_outcome_unknown', 'No run from this approval is recorded yet.');
      return found;
    });
    if (run) props.onLaunched(run);
  };
  const outcomeUnknown = flow.state.phase === 'failed' && flow.state.code === 'run_outcome_unknown' && prepared ? prepared.intentId : undefined;

  const busy = isBusy(flow.state);
  const failedFields = flow.state.phase === 'failed' && flow.state.code === 'params_invalid' ? (flow.state.details?.fields as Record<string, string> | undefined) : undefined;
  return (
    <main aria-labelledby="run-title">
      <button type="button" className="link" onClick={props.onBack} disabled={busy}>
        ← Jobs
      </button>
      <h1 id="run-title">{props.job.title}</h1>
      {props.job.description ? <p>{props.job.description}</p> : null}
      <p className="muted small">
        Runs: <code>{props.job.target}</code>
        {props.job.userVerification === 'required' ? ' · needs your key’s PIN or biometric' : ''}
      </p>
      {props.from && again ? <RunAgainNote run={props.from} changes={again.changes} /> : null}
      <form className="form" onSubmit={start} noValidate>
        {declared.map((p) => (
          <ParamField key={p.name} param={p} value={values[p.name]!} error={errors[p.name] ?? failedFields?.[p.name]} disabled={busy} onChange={(v) => setValues((old) => ({ ...old, [p.name]: v }))} />
        ))}
        {needsMfa ? (
          <div className={`field${errors.mfaCode ?? failedFields?.mfaCode ? ' invalid' : ''}`}>
            <label htmlFor="mfa-code">MFA code (required)</label>
            <input
              id="mfa-code"
              type="password"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={mfaCode}
              disabled={busy}
              aria-invalid={errors.mfaCode ?? failedFields?.mfaCode ? true : undefined}
              aria-describedby="mfa-code-help"
              onChange={(e) => setMfaCode(e.target.value.replace(/\D/g, ''))}
            />
            <span id="mfa-code-help" className="muted small">
              Passed to the job for its own role assumption; never stored.
            </span>
            {errors.mfaCode ?? failedFields?.mfaCode ? <span className="field-error">{errors.mfaCode ?? failedFields?.mfaCode}</span> : null}
          </div>
        ) : null}
        {declared.length === 0 && !needsMfa ? <p className="muted">This job takes no parameters.</p> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Review and run
          </button>
        </div>
      </form>
      {prepared ? (
        <section className="panel review" aria-labelledby="review-title">
          <h2 id="review-title">You are approving</h2>
          <dl className="facts">
            <dt>Job</dt>
            <dd>{prepared.job.title} ({prepared.job.name})</dd>
            <dt>Target</dt>
            <dd>
              <code>{prepared.job.target}</code>
            </dd>
            <dt>Parameters</dt>
            <dd>
              <ParamList params={prepared.params} secretNames={prepared.secretParams} />
            </dd>
            <dt>Fingerprint</dt>
            <dd>
              <code className="fingerprint" aria-label={`Fingerprint ${prepared.fingerprint.split('').join(' ')}`}>
                {prepared.fingerprint}
              </code>
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
        onRetry={outcomeUnknown ? () => void checkAgain(outcomeUnknown) : () => void start()}
        retryLabel={outcomeUnknown ? 'Check again' : undefined}
        doneText="Launched."
      />
    </main>
  );
}
