import type { ParamDeclaration } from '../../../backend/core/job';

/** One declared parameter as a labelled input: text, number, checkbox, select; secrets masked. */
export function ParamField(props: { param: ParamDeclaration; value: string | boolean; error?: string; disabled?: boolean; onChange: (v: string | boolean) => void }) {
  const { param: p } = props;
  const id = `param-${p.name}`;
  const label = `${p.title ?? p.name}${p.required ? ' (required)' : ''}`;
  const describedBy = [p.description ? `${id}-help` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, disabled: props.disabled, 'aria-invalid': props.error ? true : undefined, 'aria-describedby': describedBy } as const;
  let input;
  if (p.type === 'boolean') {
    input = <input {...common} type="checkbox" checked={props.value === true} onChange={(e) => props.onChange(e.target.checked)} />;
  } else if (p.type === 'enum') {
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
        type={p.secret ? 'password' : 'text'}
        inputMode={numeric ? (p.type === 'integer' ? 'numeric' : 'decimal') : undefined}
        autoComplete={p.secret ? 'one-time-code' : 'off'}
        spellCheck={false}
        value={String(props.value)}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  }
  return (
    <div className={`field${props.error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {input}
      {p.description ? (
        <span id={`${id}-help`} className="muted small">
          {p.description}
        </span>
      ) : null}
      {props.error ? (
        <span id={`${id}-error`} className="field-error">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}
