import { describe, expect, it } from 'vitest';
import { cameraProblem, dedupeScans } from '../../kiosk/src/lib/scanner';

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

describe('cameraProblem', () => {
  const dom = (name: string, message = '') => Object.assign(new Error(message), { name });
  it('names what the browser refused, from its DOMException or html5-qrcode’s sentence around it', () => {
    expect(cameraProblem(dom('NotAllowedError', 'Permission denied'))).toBe('denied');
    expect(cameraProblem('Error getting userMedia, error = NotAllowedError: Permission denied')).toBe('denied');
    expect(cameraProblem(dom('NotFoundError', 'Requested device not found'))).toBe('missing');
    expect(cameraProblem(dom('OverconstrainedError'))).toBe('missing');
    expect(cameraProblem(dom('NotReadableError', 'Could not start video source'))).toBe('busy');
    expect(cameraProblem('Camera streaming not supported by the browser.')).toBe('insecure');
    expect(cameraProblem(new Error('something else entirely'))).toBe('failed');
  });
  it('says the page is not on HTTPS whatever the error, when the context is not secure', () => {
    expect(cameraProblem(dom('NotAllowedError'), false)).toBe('insecure');
  });
});
