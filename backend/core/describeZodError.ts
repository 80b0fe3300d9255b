import type * as z from 'zod';

/** A zod error as one line a person can act on: the first five problems, each with its path. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
