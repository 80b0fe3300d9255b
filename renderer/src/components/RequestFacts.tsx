import type { RequestView } from '../../../backend/core/requestViews';
import type { ParamValue } from '../../../backend/core/model';
import { visibleText as t } from '../../../electron/shared/visibleText';

const shown = (v: ParamValue) => t(typeof v === 'string' ? JSON.stringify(v) : String(v));

/** The job's title, as every list shows it (text from a job definition: shown, never obeyed). */
export const jobTitle = (r: RequestView) => t(r.job.title);

/** "2 more people (1 from sre)": who a pending request still needs. */
export function stillNeeded(r: RequestView): string {
  const groups = Object.entries(r.missing.groups).filter(([, n]) => n > 0);
  const who = groups.length ? ` (${groups.map(([g, n]) => `${n} from ${g}`).join(', ')})` : '';
  return t(`${r.missing.people} more ${r.missing.people === 1 ? 'person' : 'people'}${who}`);
}

/** Who asked: a person, or automation on a person's behalf (a proposal, issue 16 §2). */
export const askedBy = (r: RequestView) => t(r.proposer ? `${r.proposer.name} (automation)` : r.requester.name);

/**
 * A pending request as the verifier describes it, the same facts main's review shows: the job and its
 * target as it will run, every parameter (a job with approvals takes no secret parameters, backend/core/job.ts, so
 * there is none to hide), who asked and why, who approved, who is still needed, until when, and the
 * fingerprint the requester compared. Every text is shown through visibleText (format characters named,
 * not obeyed), like main's dialog.
 */
export function RequestFacts(props: { request: RequestView; idPrefix: string }) {
  const r = props.request;
  const params = Object.entries(r.params);
  // Only the answer's own labels: a parameter named `toString` has no label every object answers to.
  const own = (name: string) => (Object.hasOwn(r.labels, name) && typeof r.labels[name] === 'string' ? r.labels[name] : undefined);
  const label = (name: string) => t(own(name) && own(name) !== name ? `${own(name)} (${name})` : name);
  return (
    <dl className="facts">
      <dt>Job</dt>
      <dd>
        {t(`${r.job.title} (${r.job.name})`)}
      </dd>
      <dt>Runs</dt>
      <dd>
        <code className="wrap">{t(r.job.target)}</code>
      </dd>
      <dt>{r.proposer ? 'Proposed by' : 'Requested by'}</dt>
      <dd>{t(r.proposer ? `${r.proposer.name} (automation), for ${r.requester.name}` : r.requester.name)}</dd>
      {r.reason !== undefined ? (
        <>
          <dt>Reason given</dt>
          <dd>{t(r.reason)}</dd>
        </>
      ) : null}
      <dt>Parameters</dt>
      <dd>
        {params.length ? (
          <ul className="plain">
            {params.map(([name, v]) => (
              <li key={name}>
                {label(name)}: <code>{shown(v)}</code>
              </li>
            ))}
          </ul>
        ) : (
          'none'
        )}
      </dd>
      <dt>Approved so far</dt>
      <dd>{r.approvals.length ? t(r.approvals.map((a) => a.userName).join(', ')) : 'nobody yet'}</dd>
      <dt>Still needed</dt>
      <dd>{r.missing.people > 0 ? stillNeeded(r) : 'nobody'}</dd>
      <dt>Open until</dt>
      <dd>{new Date(r.expiresAt).toLocaleString()}</dd>
      <dt>Fingerprint</dt>
      <dd>
        <code className="fingerprint" id={`${props.idPrefix}-fingerprint`}>
          {r.fingerprint}
        </code>
      </dd>
    </dl>
  );
}
