import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { OutputLine } from '../../../backend/core/ports';
import { ansiPieces, plainText } from '../runs/ansi';

/**
 * A run's output as it arrives: in order, ANSI colours rendered as styled text (never as markup), opened
 * at the end and following it unless the person scrolled up. Only the lines in view (and a margin) are
 * in the page, each one fixed-height row, so ten thousand lines cost what sixty do.
 */
export const LINE_PX = 18;
const OVERSCAN = 40;
/** The view grows with the output up to this, then scrolls. */
const MAX_PX = 360;
/** Rows rendered when the view's height is not known (before layout, or in a test's DOM). */
const FALLBACK_ROWS = 60;

export function OutputView(props: { lines: readonly OutputLine[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(0);
  const total = props.lines.length;

  // New lines while following: stay at the end. Layout effect, so the person never sees the jump.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setHeight(el.clientHeight);
    if (following) {
      el.scrollTop = el.scrollHeight;
      setTop(el.scrollTop);
    }
  }, [total, following]);

  const onScroll = () => {
    const el = box.current!;
    setTop(el.scrollTop);
    setHeight(el.clientHeight);
    // At the end (within a line) means "follow"; anywhere above means the person is reading.
    setFollowing(el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_PX);
  };

  const rows = height > 0 ? Math.ceil(height / LINE_PX) : FALLBACK_ROWS;
  const first = height > 0 ? Math.max(0, Math.floor(top / LINE_PX) - OVERSCAN) : Math.max(0, total - rows);
  const last = Math.min(total, (height > 0 ? Math.floor(top / LINE_PX) + rows : total) + OVERSCAN);
  const shown = props.lines.slice(first, last);

  return (
    <div className="output-wrap">
      <div ref={box} className="output live" role="log" aria-label={props.label} aria-live="off" tabIndex={0} onScroll={onScroll} style={{ height: Math.min(MAX_PX, total * LINE_PX + 14) }}>
        <div className="output-space" style={{ height: total * LINE_PX }}>
          <div className="output-rows" style={{ transform: `translateY(${first * LINE_PX}px)` }}>
            {shown.map((line) => (
              <Line key={line.seq} line={line} />
            ))}
          </div>
        </div>
      </div>
      {!following && total > 0 ? (
        <button
          type="button"
          className="secondary follow"
          onClick={() => {
            setFollowing(true);
          }}
        >
          Follow the end
        </button>
      ) : null}
    </div>
  );
}

const Line = memo(function Line(props: { line: OutputLine }) {
  const { line } = props;
  return (
    <div className={`line stream-${line.stream}`} data-seq={line.seq}>
      {ansiPieces(line.text).map((p, i) =>
        p.classes || p.fg || p.bg ? (
          <span key={i} className={p.classes || undefined} style={p.fg || p.bg ? { ...(p.fg ? { color: p.fg } : {}), ...(p.bg ? { backgroundColor: p.bg } : {}) } : undefined}>
            {p.text}
          </span>
        ) : (
          p.text
        ),
      )}
      {line.text === '' ? '\u200b' : null}
    </div>
  );
});

/** What copy and save take: every kept line, without escape codes. */
export const outputText = (lines: readonly OutputLine[]) => lines.map((l) => plainText(l.text)).join('\n') + (lines.length ? '\n' : '');
