import { useEffect, useRef } from 'react';

/**
 * The form's problems in one place, above it: each a link to its field. Shown on a refused submit, with
 * focus on the first invalid field (a person with a long form sees why nothing happened).
 */
export function FormErrors(props: { errors: Record<string, string>; labels: Record<string, string>; idOf: (name: string) => string; attempt: number }) {
  const entries = Object.entries(props.errors);
  const first = useRef<string | undefined>(undefined);
  first.current = entries[0]?.[0];
  useEffect(() => {
    if (props.attempt === 0 || !first.current) return;
    document.getElementById(props.idOf(first.current))?.focus();
  }, [props.attempt]);
  if (entries.length === 0 || props.attempt === 0) return null;
  return (
    <div className="panel error" aria-labelledby="form-errors-title">
      <h2 id="form-errors-title">{entries.length === 1 ? 'One field needs a fix' : `${entries.length} fields need a fix`}</h2>
      <ul>
        {entries.map(([name, message]) => (
          <li key={name}>
            <a
              href={`#${props.idOf(name)}`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(props.idOf(name))?.focus();
              }}
            >
              {props.labels[name] ?? name}
            </a>
            : {message}
          </li>
        ))}
      </ul>
    </div>
  );
}
