/**
 * Requests this person opened, for the life of the window (ids only, newest last): the verifier lists only
 * open ones, so "Your requests" asks for these by id to show how they ended (launched, with the run;
 * rejected, by whom). Each read goes through the verifier, which shows a request only to those it concerns.
 */
const MAX = 20;
const ids: string[] = [];

export const myRequests = {
  remember(id: string) {
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    ids.push(id);
    if (ids.length > MAX) ids.shift();
  },
  all: (): readonly string[] => [...ids],
  /** Another person's config: nothing of the last one's carries over. */
  clear() {
    ids.length = 0;
  },
};
