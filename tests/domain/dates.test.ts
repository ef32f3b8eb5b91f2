import { describe, expect, it } from 'vitest';
import { campusTimeText, campusZoneName, instantOfLocalInput, localInputOf } from '../../server/domain/dates';

describe('campusTimeText', () => {
  it('shows an instant in the campus’s zone with the zone named, whatever the device’s zone', () => {
    const at = '2026-11-29T16:30:00Z'; // 00:30 the next day in Shanghai
    expect(campusTimeText(at, 'Asia/Shanghai', 'en')).toBe('30 Nov 2026, 00:30 GMT+8');
    expect(campusTimeText(at, 'Asia/Shanghai', 'zh')).toBe('2026年11月30日 GMT+8 00:30');
    expect(campusTimeText(at, 'Asia/Shanghai', 'en', { time: true, seconds: true })).toBe('00:30:00 GMT+8');
    expect(campusTimeText(at, 'Asia/Urumqi', 'en', { time: true })).toBe('22:30 GMT+6');
    // A list whose heading names the zone once.
    expect(campusTimeText(at, 'Asia/Shanghai', 'zh', { time: true, zone: false })).toBe('00:30');
    expect(campusZoneName('Asia/Shanghai', 'zh')).toBe('GMT+8');
  });
});

describe('datetime-local fields', () => {
  it('read as the campus’s wall clock and shown back on it, whatever the device’s zone', () => {
    expect(instantOfLocalInput('2026-11-21T08:30', 'Asia/Shanghai')).toBe('2026-11-21T00:30:00.000Z');
    expect(instantOfLocalInput('2026-11-21T08:30', 'Asia/Urumqi')).toBe('2026-11-21T02:30:00.000Z');
    expect(instantOfLocalInput('', 'Asia/Shanghai')).toBe('');
    // The stored instant (as the API answers it, in UTC) back in the field: not its UTC text cut short.
    expect(localInputOf('2026-11-21T00:30:00.000Z', 'Asia/Shanghai')).toBe('2026-11-21T08:30');
    expect(localInputOf('2026-11-20T23:59:00+08:00', 'Asia/Shanghai')).toBe('2026-11-20T23:59');
    expect(localInputOf('not a time', 'Asia/Shanghai')).toBe('');
    for (const local of ['2026-01-01T00:00', '2026-06-30T23:45', '2026-11-21T08:30'])
      expect(localInputOf(instantOfLocalInput(local, 'Asia/Shanghai'), 'Asia/Shanghai')).toBe(local);
  });
});
