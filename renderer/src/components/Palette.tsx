import { useEffect, useRef, useState } from 'react';
import type { JobSummary } from '../../../backend/core/queries';
import type { Run } from '../../../backend/core/model';
import { useApp } from '../appContext';
import { loadPinned } from '../localPrefs';
import { orderJobs } from '../jobOrder';

/**
 * The command palette (Ctrl+K): type to find a job, arrows to choose, Enter to open; pinned and
 * recently run jobs first. A native modal <dialog>: Escape closes it, focus returns where it was.
 */
export function Palette(props: { me: string; onOpen: (job: JobSummary) => void; onClose: () => void }) {
  const { desktop } = useApp();
  const dialog = useRef<HTMLDialogElement>(null);
  const [jobs, setJobs] = useState<JobSummary[]>([]);
  const [runs, setRuns] = useState<Run[]>([]);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) typeof d.showModal === 'function' ? d.showModal() : d.setAttribute('open', '');
    void Promise.all([desktop.listJobs(), desktop.listRuns({ limit: 100 })]).then(([j, r]) => {
      if (j.ok) setJobs(j.value.jobs.filter((x) => x.available));
      if (r.ok) setRuns(r.value.runs);
    });
  }, [desktop]);
  const shown = orderJobs(jobs, { pinned: loadPinned(), recentRuns: runs, me: props.me, query }).slice(0, 8);
  const current = Math.min(active, Math.max(0, shown.length - 1));
  const open = (job: JobSummary | undefined) => job && props.onOpen(job);
  return (
    <dialog
      ref={dialog}
      className="sheet palette"
      aria-label="Find a job"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <div className="sheet-body">
        <label htmlFor="palette-input">Find a job</label>
        <input
          id="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={shown[current] ? `palette-${shown[current].name}` : undefined}
          autoComplete="off"
          autoFocus
          value={query}
          onChange={(e) => (setQuery(e.target.value), setActive(0))}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') (e.preventDefault(), setActive((current + 1) % Math.max(1, shown.length)));
            else if (e.key === 'ArrowUp') (e.preventDefault(), setActive((current - 1 + shown.length) % Math.max(1, shown.length)));
            else if (e.key === 'Enter') (e.preventDefault(), open(shown[current]));
          }}
        />
        <ul id="palette-list" role="listbox" aria-label="Jobs" className="palette-list">
          {shown.map((job, i) => (
            <li key={job.name} id={`palette-${job.name}`} role="option" aria-selected={i === current} className={i === current ? 'active' : ''} onClick={() => open(job)}>
              {job.title} <span className="muted small">{job.name}</span>
            </li>
          ))}
        </ul>
        {shown.length === 0 ? <p className="muted">No job matches.</p> : null}
        <p className="muted small">↑ ↓ to choose · Enter to open · Esc to close</p>
      </div>
    </dialog>
  );
}

/** The keyboard shortcuts, in a sheet ("?" or the header's "Shortcuts"). */
export const SHORTCUTS: [string, string][] = [
  ['Ctrl+K', 'Find a job (the palette)'],
  ['Ctrl+Enter', 'Review and run the job whose form is open'],
  ['Ctrl+L', 'Lock keylaunch'],
  ['Escape', 'Cancel a touch, close a sheet'],
  ['?', 'This list'],
];

export function ShortcutsHelp(props: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) typeof d.showModal === 'function' ? d.showModal() : d.setAttribute('open', '');
  }, []);
  return (
    <dialog
      ref={dialog}
      className="sheet"
      aria-labelledby="shortcuts-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <div className="sheet-body">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <dl className="facts">
          {SHORTCUTS.map(([k, what]) => (
            <div key={k} className="contents">
              <dt>
                <kbd>{k}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <div className="actions">
          <button type="button" className="secondary" onClick={props.onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}
