/**
 * Parameters exactly as they will run: one per line, values quoted when they hold spaces or quotes,
 * so `a b` can never be read as two values.
 */
export function ParamList(props: { params: Record<string, unknown>; secretNames?: string[]; labels?: Record<string, string> }) {
  // The person knows a parameter by its label; its name is in small print (the job definition's word for it).
  const named = (name: string) => {
    const label = props.labels?.[name];
    return label && label !== name ? (
      <>
        {label} <span className="muted small">({name})</span>
      </>
    ) : (
      name
    );
  };
  const entries = Object.entries(props.params);
  if (entries.length === 0 && !props.secretNames?.length) return <span className="muted">(none)</span>;
  return (
    <ul className="params">
      {entries.map(([name, value]) => (
        <li key={name}>
          {named(name)}: <code>{show(value)}</code>
        </li>
      ))}
      {(props.secretNames ?? []).map((name) => (
        <li key={name}>
          {named(name)}: <code>••••••</code> <span className="muted small">(secret, sent with your touch, never stored)</span>
        </li>
      ))}
    </ul>
  );
}

const show = (v: unknown) => (typeof v === 'string' && (v === '' || /[\s"'\\]/.test(v)) ? JSON.stringify(v) : String(v));
