import { describe, expect, it } from 'vitest';
import { dedupeScans } from '../../kiosk/src/lib/scanner';

describe('dedupeScans', () => {
  it('turns html5-qrcode’s repeated callbacks for one held code into one event', () => {
    let t = 0;
    const seen: string[] = [];
    const onDecode = dedupeScans((text) => seen.push(text), { repeatAfterGoneMs: 2500, now: () => t });
    for (; t <= 5000; t += 100) onDecode('PASS-A'); // held up for 5 s, decoded 10× a second
    expect(seen).toEqual(['PASS-A']);
    onDecode('PASS-B');
    expect(seen).toEqual(['PASS-A', 'PASS-B']);
  });

  it('counts the same code again once it has been out of view', () => {
    let t = 0;
    const seen: string[] = [];
    const onDecode = dedupeScans((text) => seen.push(text), { repeatAfterGoneMs: 2500, now: () => t });
    onDecode('PASS-A');
    t = 3000;
    onDecode('PASS-A');
    expect(seen).toEqual(['PASS-A', 'PASS-A']);
  });

  it('counts the code in view again once told to forget (the guard switched to exit mode with the pass held up)', () => {
    let t = 0;
    const seen: string[] = [];
    const onDecode = dedupeScans((text) => seen.push(text), { repeatAfterGoneMs: 2500, now: () => t });
    onDecode('PASS-A');
    t = 500;
    onDecode.forget();
    onDecode('PASS-A');
    t = 600;
    onDecode('PASS-A');
    expect(seen).toEqual(['PASS-A', 'PASS-A']);
  });
});
