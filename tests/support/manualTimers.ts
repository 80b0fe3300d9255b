/** Timers a test moves by hand: nothing waits for real time (main's run and request watchers' tests). */
export class ManualTimers {
  time = 0;
  pending: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.pending.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => void (this.pending = this.pending.filter((p) => p.id !== id));
  /**
   * Runs what falls due up to `ms` from now; `settle` waits for each callback's work to finish (by default a
   * few microtask turns, enough for a faked read; a real HTTP read passes its own).
   */
  async advance(ms: number, settle: () => Promise<void> = microtasks) {
    const until = this.time + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      this.pending = this.pending.filter((p) => p !== due);
      due.fn();
      await settle();
    }
    this.time = until;
  }
}

const microtasks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
