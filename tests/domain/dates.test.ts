import { describe, expect, it } from 'vitest';
import { campusTimeText, campusZoneName } from '../../server/domain/dates';

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
