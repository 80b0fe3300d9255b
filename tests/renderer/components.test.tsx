// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { AppContext } from '../../renderer/src/appContext';
import { CeremonyError, type Ceremony } from '../../renderer/src/ceremony';
import { ErrorPanel } from '../../renderer/src/components/ErrorPanel';
import { ParamField } from '../../renderer/src/components/ParamField';
import { TouchPrompt } from '../../renderer/src/components/TouchPrompt';
import { RunJob } from '../../renderer/src/screens/RunJob';
import { drafts } from '../../renderer/src/drafts';
import { FirstRun } from '../../renderer/src/screens/FirstRun';
import { EXPLAINED_CODES, explain } from '../../renderer/src/explain';
import { initialValues, validateForm } from '../../renderer/src/paramForm';
import { ERROR_STATUS } from '../../backend/core/errors';
import { DESKTOP_ERROR_CODES } from '../../electron/shared/desktopApi';
import { paramDeclarationSchema, type ParamDeclaration } from '../../backend/core/job';
import { fakeDesktop } from '../support/fakeDesktop';
import type { JobSummary } from '../../backend/core/queries';

afterEach(() => {
  cleanup();
  drafts.clear();
});

const decl = (d: Record<string, unknown>) => paramDeclarationSchema.parse(d) as ParamDeclaration;
const params = [
  decl({ name: 'env', type: 'enum', values: ['staging', 'prod'], required: true }),
  decl({ name: 'count', type: 'integer', min: 1, max: 5, default: 1 }),
  decl({ name: 'ratio', type: 'number', max: 1 }),
  decl({ name: 'tag', type: 'string', pattern: '[a-z]+', maxLength: 8 }),
  decl({ name: 'dryRun', type: 'boolean', default: true }),
  decl({ name: 'otp', type: 'string', secret: true, required: true, pattern: '[0-9]{6}' }),
];

describe('parameter form model', () => {
  it('starts from the declared defaults', () => {
    expect(initialValues(params)).toEqual({ env: '', count: '1', ratio: '', tag: '', dryRun: true, otp: '' });
  });

  it('reports each problem the verifier would, and keeps secrets apart', () => {
    const bad = validateForm(params, { env: 'dev', count: '9', ratio: 'x', tag: 'ABC', dryRun: false, otp: '' });
    expect(bad.errors).toEqual({ env: 'One of staging, prod.', count: 'At most 5.', ratio: 'A number.', tag: 'Must match the form [a-z]+.', otp: 'Required.' });
    const good = validateForm(params, { env: 'prod', count: '2', ratio: '0.5', tag: 'abc', dryRun: false, otp: '123456' });
    expect(good).toEqual({ errors: {}, params: { env: 'prod', count: 2, ratio: 0.5, tag: 'abc', dryRun: false }, secrets: { otp: '123456' } });
  });

  it('anchors patterns: a value must match whole, not contain a match', () => {
    expect(validateForm([params[3]!], { tag: 'abc; rm -rf /' }).errors.tag).toBeDefined();
  });
});

describe('parameter fields', () => {
  it('masks secrets, labels every field, and marks invalid ones', () => {
    render(
      <>
        <ParamField param={params[5]!} value="123456" onChange={() => undefined} />
        <ParamField param={params[1]!} value="9" error="At most 5." onChange={() => undefined} />
      </>,
    );
    expect(screen.getByLabelText('otp (required)')).toHaveProperty('type', 'password');
    const count = screen.getByLabelText('count');
    expect(count.getAttribute('aria-invalid')).toBe('true');
    expect(count.getAttribute('aria-describedby')).toBe('param-count-help param-count-error');
    expect(screen.getByText('At most 5.').id).toBe('param-count-error');
    // The rules are shown before any error.
    expect(document.getElementById('param-count-help')!.textContent).toBe('A whole number from 1 to 5.');
  });

  it('a checkbox sits in its label; a secret can be shown and hidden again', () => {
    render(
      <>
        <ParamField param={params[4]!} value={true} onChange={() => undefined} />
        <ParamField param={params[5]!} value="123456" onChange={() => undefined} />
      </>,
    );
    const box = screen.getByLabelText('dryRun');
    expect(box.closest('label')).not.toBeNull();
    const otp = screen.getByLabelText('otp (required)');
    fireEvent.click(screen.getByRole('button', { name: 'Show otp' }));
    expect(otp).toHaveProperty('type', 'text');
    fireEvent.click(screen.getByRole('button', { name: 'Hide otp' }));
    expect(otp).toHaveProperty('type', 'password');
  });
});

describe('error explanations', () => {
  it('every refusal code the verifier or the desktop can give has an explanation and a next step', () => {
    const internal = new Set(['internal_error', 'bad_request', 'not_found', 'payload_too_large']);
    const codes = [...Object.keys(ERROR_STATUS), ...DESKTOP_ERROR_CODES].filter((c) => !internal.has(c));
    expect(codes.filter((c) => !EXPLAINED_CODES.includes(c))).toEqual([]);
  });

  it.each(EXPLAINED_CODES)('%s renders a title, what happened and what to do next', (code) => {
    render(<ErrorPanel code={code} />);
    const panel = screen.getByRole('alert');
    expect(panel.textContent).toContain(explain(code).title);
    expect(panel.textContent).toContain('Next:');
  });

  it('spot_price_too_high names both prices', () => {
    render(<ErrorPanel code="spot_price_too_high" details={{ currentPrice: '0.41', maxPrice: '0.30' }} />);
    expect(screen.getByRole('alert').textContent).toMatch(/\$0\.41\/h.*\$0\.30\/h/);
  });

  it('an unknown code still says something useful', () => {
    render(<ErrorPanel code="brand_new_code" />);
    expect(screen.getByRole('alert').textContent).toContain('brand_new_code');
  });
});

describe('touch sheet', () => {
  it('a modal sheet: what is approved, its fingerprint, the keys that can answer by label, PIN or not, time left, Cancel', () => {
    const wait = { allow: ['k1', 'k3'], pin: true, summary: 'Run Deploy (deploy)', fingerprint: 'K7QX-2M4P' };
    const keys = [{ id: 'k1', label: 'Primary YubiKey' }, { id: 'k2', label: 'Old key' }, { id: 'k3', label: 'Backup' }];
    const cancelled: string[] = [];
    const { rerender } = render(<TouchPrompt state={{ phase: 'waiting', deadline: Date.now() + 30_000, prompt: 'Touch your security key', wait }} keys={keys} onCancel={() => cancelled.push('x')} />);
    const sheet = screen.getByRole('dialog', { name: 'Touch your security key' });
    expect(sheet.hasAttribute('open')).toBe(true);
    expect(sheet.textContent).toContain('Run Deploy (deploy)');
    expect(sheet.textContent).toContain('K7QX-2M4P');
    expect(sheet.textContent).toContain('Any of: Primary YubiKey, Backup');
    expect(sheet.textContent).not.toContain('Old key');
    expect(sheet.textContent).toContain('PIN or fingerprint');
    expect(screen.getByRole('timer').textContent).toMatch(/^(29|30) s left$/);
    expect(sheet.contains(document.activeElement)).toBe(true); // focused while waiting
    fireEvent.click(screen.getByRole('button', { name: /Cancel/ }));
    expect(cancelled).toEqual(['x']);
    rerender(<TouchPrompt state={{ phase: 'verifying' }} />);
    expect(screen.getByRole('dialog').textContent).toBe('Verifying…');
    rerender(<TouchPrompt state={{ phase: 'failed', code: 'timeout', message: 'timeout' }} onRetry={() => undefined} onDismiss={() => undefined} />);
    // The failure appears in the same sheet, focused.
    const alert = screen.getByRole('alert');
    expect(screen.getByRole('dialog').contains(alert)).toBe(true);
    expect(document.activeElement).toBe(alert);
    expect(alert.textContent).toContain('No touch in time');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
    rerender(<TouchPrompt state={{ phase: 'done' }} doneText="Launched." />);
    expect(screen.getByRole('dialog', { hidden: true }).hasAttribute('open')).toBe(false);
    expect(screen.getByRole('status').textContent).toBe('Launched.');
  });

  it('a cancel is not a failure: the sheet closes and a quiet note says nothing ran', () => {
    render(<TouchPrompt state={{ phase: 'cancelled' }} />);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Cancelled. Nothing was approved or run.');
  });

  it('without key labels, or for a new key, says which key in words', () => {
    const { rerender } = render(<TouchPrompt state={{ phase: 'waiting', deadline: Date.now() + 30_000, prompt: 'Touch', wait: { allow: ['x'], pin: false } }} />);
    expect(screen.getByRole('dialog').textContent).toContain('One of your registered keys.');
    expect(screen.getByRole('dialog').textContent).toContain('Not needed: a touch is enough.');
    rerender(<TouchPrompt state={{ phase: 'waiting', deadline: Date.now() + 30_000, prompt: 'Touch', wait: { allow: [], pin: false, newKey: true } }} />);
    expect(screen.getByRole('dialog').textContent).toContain('The new key you are adding.');
  });
});

const job: JobSummary = { name: 'deploy', title: 'Deploy', type: 'local', available: true, target: 'local: deploy.sh', params, userVerification: 'discouraged' };
const prepared = { intentId: 'int_1', options: { challenge: 'c', rpId: 'x' }, fingerprint: 'K7QX-2M4P', expiresAt: Date.now() + 60_000, job: { name: 'deploy', title: 'Deploy', type: 'local', target: 'local: deploy.sh' }, params: { env: 'prod', count: 1, dryRun: true }, secretParams: ['otp'] };

function renderRunJob(desktop: ReturnType<typeof fakeDesktop>['desktop'], ceremony: Ceremony) {
  const launched: unknown[] = [];
  render(
    <AppContext.Provider value={{ desktop, ceremony }}>
      <RunJob job={job} onBack={() => undefined} onLaunched={(run) => launched.push(run)} />
    </AppContext.Provider>,
  );
  return launched;
}
const ok = async () => ({ id: 'c', rawId: 'c', type: 'public-key', response: { authenticatorData: 'a', clientDataJSON: 'b', signature: 's' }, clientExtensionResults: {} }) as never;

describe('running a job', () => {
  it('does not ask for a touch while the form is invalid', async () => {
    const { desktop, calls } = fakeDesktop();
    renderRunJob(desktop, { authenticate: ok, register: ok });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    expect(await screen.findAllByText('Required.')).toHaveLength(2); // env and otp
    expect(calls).toEqual([]);
  });

  it('prepares with the plain parameters, shows the fingerprint, confirms with the secrets', async () => {
    const { desktop, calls } = fakeDesktop({
      prepareRun: async () => ({ ok: true, value: prepared as never }),
      confirmRun: async () => ({ ok: true, value: { run: { id: 'run_1' } as never } }),
    });
    const launched = renderRunJob(desktop, { authenticate: ok, register: ok });
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    await waitFor(() => expect(launched).toHaveLength(1));
    expect(screen.getByText('K7QX-2M4P')).toBeTruthy();
    expect(calls[0]).toEqual(['prepareRun', { job: 'deploy', params: { env: 'prod', count: 1, dryRun: true } }]);
    expect(calls[1]?.[0]).toBe('confirmRun');
    expect((calls[1]?.[1] as { secrets: unknown }).secrets).toEqual({ otp: '123456' });
  });

  it.each([
    ['a start the launcher refused', { status: 'failed', failure: { code: 'spot_price_too_high', message: 'too high' } }, 'Not launched.'],
    ['a started run', { status: 'running' }, 'Running.'],
  ])('after the touch, the sheet says what the run became, not "Launched": %s', async (_, run, word) => {
    const { desktop } = fakeDesktop({
      prepareRun: async () => ({ ok: true, value: prepared as never }),
      confirmRun: async () => ({ ok: true, value: { run: { id: 'run_1', job: 'deploy', ...run } as never } }),
    });
    const launched = renderRunJob(desktop, { authenticate: ok, register: ok });
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    await waitFor(() => expect(launched).toHaveLength(1));
    const said = screen.getAllByRole('status').map((e) => e.textContent).join(' ');
    expect(said).toContain(word);
    expect(said).not.toMatch(/\bLaunched/);
  });

  it.each([
    ['the verifier refuses the confirmation', 'job_config_changed', { confirm: 'job_config_changed' }],
    ['no touch in time', 'timeout', { ceremony: 'timeout' }],
    ['another key answered', 'not_allowed', { ceremony: 'not_allowed' }],
    ['the verifier is unreachable', 'verifier_unreachable', { prepare: 'verifier_unreachable' }],
    ['the session ended', 'session_expired', { prepare: 'session_expired' }],
  ] as const)('%s: shows %s with a way to try again', async (_, code, how: { confirm?: string; ceremony?: string; prepare?: string }) => {
    const { desktop } = fakeDesktop({
      prepareRun: async () => (how.prepare ? { ok: false, error: { code: how.prepare, message: how.prepare } } : { ok: true, value: prepared as never }),
      confirmRun: async () => ({ ok: false, error: { code: how.confirm ?? 'x', message: 'refused' } }),
    });
    const fail = async () => {
      throw new CeremonyError(how.ceremony as never);
    };
    renderRunJob(desktop, how.ceremony ? { authenticate: fail, register: fail } : { authenticate: ok, register: ok });
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    const alert = await screen.findByRole('alert');
    expect(alert.getAttribute('data-code')).toBe(code);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('a refused submit lists the problems above the form and focuses the first; an error goes once fixed', async () => {
    const { desktop, calls } = fakeDesktop();
    renderRunJob(desktop, { authenticate: ok, register: ok });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    const summary = await screen.findByText('2 fields need a fix');
    expect(summary.tagName).toBe('H2');
    expect(summary.parentElement!.textContent).toContain('env: Required.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('env (required)')));
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    expect(screen.getByLabelText('env (required)').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByText('One field needs a fix')).toBeTruthy();
    expect(calls).toEqual([]);
  });

  it('leaving the screen while the key blinks aborts the wait, and a late answer neither confirms nor takes over', async () => {
    const { desktop, calls } = fakeDesktop({ prepareRun: async () => ({ ok: true, value: prepared as never }), confirmRun: async () => ({ ok: true, value: { run: { id: 'run_1' } as never } }) });
    let signal: AbortSignal | undefined;
    let answer: (() => void) | undefined;
    const waiting: Ceremony = {
      authenticate: (_o, w) => ((signal = w.signal), new Promise((resolve) => (answer = () => resolve(ok() as never)))),
      register: ok,
    };
    const launched = renderRunJob(desktop, waiting);
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    await waitFor(() => expect(signal).toBeDefined());
    cleanup(); // the screen goes (a lock, or navigation)
    expect(signal!.aborted).toBe(true);
    answer!(); // the key answers anyway
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.map(([m]) => m)).toEqual(['prepareRun']);
    expect(launched).toEqual([]);
  });

  it('a half-filled form comes back as it was when the screen returns (after a lock), without its secrets', async () => {
    const { desktop } = fakeDesktop();
    renderRunJob(desktop, { authenticate: ok, register: ok });
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('tag'), { target: { value: 'abc' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    cleanup(); // the screen goes (locked), and comes back (unlocked)
    renderRunJob(desktop, { authenticate: ok, register: ok });
    expect((screen.getByLabelText('env (required)') as HTMLSelectElement).value).toBe('prod');
    expect((screen.getByLabelText('tag') as HTMLInputElement).value).toBe('abc');
    expect((screen.getByLabelText('otp (required)') as HTMLInputElement).value).toBe('');
  });

  it('the person cancels: no alert, a note that nothing ran, and no confirmation', async () => {
    const { desktop, calls } = fakeDesktop({ prepareRun: async () => ({ ok: true, value: prepared as never }) });
    const cancel = async () => {
      throw new CeremonyError('cancelled');
    };
    const launched = renderRunJob(desktop, { authenticate: cancel, register: cancel });
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    expect(await screen.findByText('Cancelled. Nothing was approved or run.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(calls.map(([m]) => m)).toEqual(['prepareRun']);
    expect(launched).toEqual([]);
  });

  it('a job that needs an MFA code asks for six digits, masked, and sends them with the confirmation only', async () => {
    const { desktop, calls } = fakeDesktop({
      prepareRun: async () => ({ ok: true, value: { ...prepared, mfaCode: 'required' } as never }),
      confirmRun: async () => ({ ok: true, value: { run: { id: 'run_1' } as never } }),
    });
    const launched: unknown[] = [];
    render(
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: ok, register: ok } }}>
        <RunJob job={{ ...job, mfaCode: 'required' }} onBack={() => undefined} onLaunched={(run) => launched.push(run)} />
      </AppContext.Provider>,
    );
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    const mfa = screen.getByLabelText('MFA code (required)');
    expect(mfa).toHaveProperty('type', 'password');
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    expect(await screen.findByText('Six digits from your MFA device.')).toBeTruthy();
    expect(calls).toEqual([]);
    fireEvent.change(mfa, { target: { value: '48l207' } }); // a letter is kept and named, not dropped silently
    expect((mfa as HTMLInputElement).value).toBe('48l207');
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    expect(await screen.findByText('Digits only: six digits from your MFA device.')).toBeTruthy();
    expect(calls).toEqual([]);
    fireEvent.change(mfa, { target: { value: '48-12 07' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    await waitFor(() => expect(launched).toHaveLength(1));
    expect(calls[0]![1]).not.toHaveProperty('mfaCode');
    expect(calls[1]![1]).toMatchObject({ mfaCode: '481207' });
  });

  it('an approved confirmation whose outcome is unknown offers "Check again", which asks by intent and never prepares or confirms again', async () => {
    let recorded = false;
    const { desktop, calls } = fakeDesktop({
      prepareRun: async () => ({ ok: true, value: prepared as never }),
      confirmRun: async () => ({ ok: false, error: { code: 'run_outcome_unknown', message: 'lost' } }),
      listRuns: async () => ({ ok: true, value: { runs: recorded ? [{ id: 'run_9' } as never] : [] } }),
    });
    const launched = renderRunJob(desktop, { authenticate: ok, register: ok });
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    expect((await screen.findByRole('alert')).getAttribute('data-code')).toBe('run_outcome_unknown');
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Check again' }));
    await waitFor(() => expect(calls.filter(([m]) => m === 'listRuns')).toHaveLength(1));
    expect((await screen.findByRole('alert')).getAttribute('data-code')).toBe('run_outcome_unknown'); // not recorded yet
    recorded = true;
    fireEvent.click(screen.getByRole('button', { name: 'Check again' }));
    await waitFor(() => expect(launched).toEqual([{ id: 'run_9' }]));
    expect(calls.map(([m]) => m)).toEqual(['prepareRun', 'confirmRun', 'listRuns', 'listRuns']);
    expect(calls[2]![1]).toEqual({ intentId: 'int_1' });
  });

  it('params_invalid from the verifier marks the fields it names', async () => {
    const { desktop } = fakeDesktop({ prepareRun: async () => ({ ok: false, error: { code: 'params_invalid', message: 'bad', details: { fields: { tag: 'does not match the required pattern' } } } }) });
    renderRunJob(desktop, { authenticate: ok, register: ok });
    fireEvent.change(screen.getByLabelText('env (required)'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('otp (required)'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review and run' }));
    expect(await screen.findByText('does not match the required pattern')).toBeTruthy();
    expect(screen.getByLabelText('tag').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('first run', () => {
  it('says why an import was refused, instead of doing nothing', async () => {
    const refused = { code: 'config_locked', message: 'keylaunch was started with --keylaunch-config' };
    render(<FirstRun config={{ state: 'invalid', reason: 'rpId: co.uk is a public suffix' }} onImport={async () => ({ ok: false, error: refused })} />);
    expect(screen.getByText('rpId: co.uk is a public suffix')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Import config file…' }));
    await waitFor(() => expect(screen.getByText(explain('config_locked').title)).toBeTruthy());
  });
});

describe('administration in the app', () => {
  it('the Admin section is in the header for admins only', async () => {
    const { Header } = await import('../../renderer/src/components/Header');
    const session = (role: 'admin' | 'operator') => ({ user: { id: 'u', name: 'ada', role }, expiresAt: Date.now() + 60_000, idleLockAt: Date.now() + 60_000 });
    const props = { section: 'jobs' as const, onNavigate: () => undefined, onLock: () => undefined, onRenewed: () => undefined, onHelp: () => undefined, theme: 'system', onTheme: () => undefined };
    // The header warns before the session ends and can renew it: it needs the app's context.
    const { desktop } = fakeDesktop();
    const ok = async () => { throw new Error('no touch here'); };
    const inApp = (role: 'admin' | 'operator') => (
      <AppContext.Provider value={{ desktop, ceremony: { authenticate: ok, register: ok } }}>
        <Header session={session(role)} {...props} />
      </AppContext.Provider>
    );
    render(inApp('operator'));
    expect(screen.queryByRole('button', { name: 'Admin' })).toBeNull();
    cleanup();
    render(inApp('admin'));
    expect(screen.getByRole('button', { name: 'Admin' })).toBeTruthy();
  });

  it('an invite goes through main and a touch; the code is shown once, then forgotten', async () => {
    const { Admin } = await import('../../renderer/src/screens/Admin');
    const directory = { people: [{ id: 'u1', name: 'ada', role: 'admin', disabled: false, groups: [], createdAt: 0, keys: [] }], invites: [], grants: [] };
    const { desktop, calls } = fakeDesktop({
      listPeople: async () => ({ ok: true, value: directory as never }),
      startAdminAction: async () => ({ ok: true, value: { intentId: 'int_1', options: { challenge: 'AA', allowCredentials: [] }, fingerprint: 'AAAA-BBBB', expiresAt: Date.now() + 60_000, action: {} as never, review: { title: 'Invite grace as operator?', facts: [] } } }),
      finishAdminAction: async () => ({ ok: true, value: { kind: 'invite', invite: { code: 'KL-AAAA-BBBB', userName: 'grace', role: 'operator', groups: ['sre'], expiresAt: Date.now() + 3600_000 } } }),
    });
    const ceremony: Ceremony = { authenticate: async () => ({ id: 'k' }) as never, register: async () => { throw new CeremonyError('unsupported'); } };
    render(
      <AppContext.Provider value={{ desktop, ceremony }}>
        <Admin me="ada" />
      </AppContext.Provider>,
    );
    fireEvent.change(await screen.findByLabelText('User name'), { target: { value: 'grace' } });
    fireEvent.change(screen.getByLabelText('Groups (comma-separated, optional)'), { target: { value: 'sre, ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Invite' }));
    const code = (await screen.findByRole('textbox', { name: 'Invite code' })) as HTMLInputElement;
    expect(code.value).toBe('KL-AAAA-BBBB');
    expect(calls.find(([m]) => m === 'startAdminAction')?.[1]).toEqual({ action: { kind: 'invite', userName: 'grace', role: 'operator', groups: ['sre'], ttlHours: 24 } });
    expect(calls.find(([m]) => m === 'finishAdminAction')?.[1]).toEqual({ intentId: 'int_1', assertion: { id: 'k' } });
    fireEvent.click(screen.getByRole('button', { name: 'I have handed it over' }));
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Invite code' })).toBeNull());
  });
});
