import { describe, expect, it } from 'vitest';
import { fillPlaceholders, placeholdersOf } from '../../../backend/core/placeholders';

describe('placeholders', () => {
  it('fills declared values, and leaves unset ones empty', () => {
    expect(placeholdersOf('{{a}}-{{b_2}}')).toEqual(['a', 'b_2']);
    expect(fillPlaceholders('x={{a}} y={{b}}', { a: 1 })).toBe('x=1 y=');
  });

  it('never fills in a member of Object.prototype for an unset parameter named like one', () => {
    expect(fillPlaceholders('echo {{constructor}} {{toString}} {{hasOwnProperty}}', {})).toBe('echo   ');
    expect(fillPlaceholders('echo {{constructor}}', { constructor: 'set' } as Record<string, unknown>)).toBe('echo set');
  });
});
