import { describe, expect, it } from 'vitest';
import { format } from '../../server/domain/i18n';

describe('format', () => {
  it('fills placeholders and leaves a missing one visible', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  it('picks the English word by the count’s plural category', () => {
    const text = '{n} {n:visitor|visitors} on campus';
    expect(format(text, { n: 1 })).toBe('1 visitor on campus');
    expect(format(text, { n: 0 })).toBe('0 visitors on campus');
    expect(format(text, { n: 3 })).toBe('3 visitors on campus');
    expect(format('{n:visitor has|visitors have}', { n: 1 })).toBe('visitor has');
  });

  it('leaves a plural choice visible when its count is missing', () => {
    expect(format('{n:day|days}')).toBe('{n:day|days}');
  });
});
