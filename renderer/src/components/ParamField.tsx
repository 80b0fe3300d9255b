import { useState } from 'react';
import type { ParamDeclaration } from '../../../backend/core/job';
import { constraintsOf } from '../paramForm';

/**
 * One declared parameter as a labelled input: text, number, checkbox (beside its label), select; its
 * rules shown up front; secrets masked, with Show/Hide.
 */
export function ParamField(props: { param: ParamDeclaration; value: string | boolean; error?: string; disabled?: boolean; onChange: (v: string | boolean) => void }) {
  const { param: p } = props;
  const [revealed, setRevealed] = useState(false);
  const id = `param-${p.name}`;
  const label = `${p.title ?? p.name}${p.required ? ' (required)' : ''}`;
  const rules = constraintsOf(p);
  const help = [p.description, rules].filter(Boolean).join(' ');
  const describedBy = [help ? `${id}-help` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, disabled: props.disabled, 'aria-invalid': props.error ? true : undefined, 'aria-describedby': describedBy } as const;
  const helpText = help ? (
    <span id={`${id}-help`} className="muted small">
      {help}
    </span>
  ) : null;
  const errorText = props.error ? (
    <span id={`${id}-error`} className="field-error">
      {props.error}
    </span>
  ) : null;
  if (p.type === 'boolean') {
    return (
      <div className={`field check${props.error ? ' invalid' : ''}`}>
        <label htmlFor={id}>
          <input {...common} type="checkbox" checked={props.value === true} onChange={(e) => props.onChange(e.target.checked)} /> {label}
        </label>
        {helpText}
        {errorText}
      </div>
    );
  }
  let input;
  if (p.type === 'enum') {
    input = (
      <select {...common} value={String(props.value)} onChange={(e) => props.onChange(e.target.value)}>
        {!p.required || props.value === '' ? <option value="">—</option> : null}
        {p.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = p.type === 'integer' || p.type === 'number';
    input = (
      <input
        {...common}
        type={p.secret && !revealed ? 'password' : 'text'}
        inputMode={numeric ? (p.type === 'integer' ? 'numeric' : 'decimal') : undefined}
        autoComplete={p.secret ? 'one-time-code' : 'off'}
        spellCheck={false}
        value={String(props.value)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
    if (p.secret) {
      input = (
        <span className="with-reveal">
          {input}
          <button type="button" className="secondary" aria-controls={id} aria-pressed={revealed} aria-label={`${revealed ? "Hide" : "Show"} ${p.title ?? p.name}`} onClick={() => setRevealed((r) => !r)}>
            {revealed ? 'Hide' : 'Show'}
          </button>
        </span>
      );
    }
  }
  return (
    <div className={`field${props.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {input}
      {helpText}
      {errorText}
    </div>
  );
}
