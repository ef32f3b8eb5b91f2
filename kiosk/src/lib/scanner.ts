/**
 * Our scanner interface. html5-qrcode is unmaintained since 2023, so nothing else in the kiosk
 * touches it: it lives in camera.ts alone (replacing it, with BarcodeDetector or zxing, means replacing
 * that file), loaded as its own chunk once the guard's shift starts, so enrollment and the PIN screen
 * load without it (83 % of the kiosk's code).
 */
export interface Scanner {
  /** Starts the rear camera; `onCode` fires once per code shown, not once per video frame. */
  start(onCode: (text: string) => void): Promise<void>;
  stop(): Promise<void>;
  /** The code in view counts again at its next sighting: the guard switched between entry and exit. */
  forget(): void;
}

export interface ScannerOptions {
  /** A code must leave the camera for this long before the same text counts again. */
  repeatAfterGoneMs?: number;
  fps?: number;
  now?: () => number;
}

/**
 * Turns a stream of decode callbacks (html5-qrcode repeats them several times a second while
 * a code is held up) into one event per appearance of a code.
 */
export function dedupeScans(
  onCode: (text: string) => void,
  { repeatAfterGoneMs = 2500, now = () => Date.now() }: ScannerOptions = {},
) {
  let last: { text: string; seenAt: number } | null = null;
  return Object.assign(
    (text: string) => {
      const t = now();
      const repeat = last !== null && last.text === text && t - last.seenAt < repeatAfterGoneMs;
      last = { text, seenAt: t };
      if (!repeat) onCode(text);
    },
    {
      forget() {
        last = null;
      },
    },
  );
}

export type CameraProblem = 'denied' | 'missing' | 'busy' | 'insecure' | 'failed';

/**
 * What went wrong opening the camera, from the browser's DOMException name (html5-qrcode passes it on,
 * sometimes inside its own English sentence): the guard sees our words for it, never the library's.
 */
export function cameraProblem(err: unknown, secure = globalThis.isSecureContext !== false): CameraProblem {
  if (!secure) return 'insecure';
  const text =
    err instanceof Error
      ? `${err.name} ${err.message}`
      : typeof err === 'object' && err
        ? JSON.stringify(err)
        : String(err);
  if (/NotAllowedError|PermissionDenied|Permission denied|SecurityError/i.test(text)) return 'denied';
  if (/NotFoundError|DevicesNotFound|OverconstrainedError|Requested device not found/i.test(text)) return 'missing';
  if (/NotReadableError|TrackStartError|AbortError|Could not start video source/i.test(text)) return 'busy';
  if (/not supported|getUserMedia is not|secure context/i.test(text)) return 'insecure';
  return 'failed';
}

/** The camera scanner, its library fetched on first use (the service worker keeps it for offline starts). */
export async function loadCameraScanner(elementId: string, options: ScannerOptions = {}): Promise<Scanner> {
  const { createCameraScanner } = await import('./camera');
  return createCameraScanner(elementId, options);
}
