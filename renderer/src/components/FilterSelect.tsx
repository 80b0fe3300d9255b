/**
 * One filter of a list screen (history, audit log): a labelled select whose first option keeps
 * everything. `anyValue` is what that option stands for ('' unless the screen has its own word).
 */
export function FilterSelect(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  any: string;
  anyValue?: string;
  options: readonly (string | { value: string; label: string })[];
}) {
  return (
    <label>
      {props.label}{' '}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value={props.anyValue ?? ''}>{props.any}</option>
        {props.options.map((o) =>
          typeof o === 'string' ? (
            <option key={o}>{o}</option>
          ) : (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ),
        )}
      </select>
    </label>
  );
}
