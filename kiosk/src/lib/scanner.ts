import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';

/**
 * Our scanner interface. html5-qrcode is unmaintained since 2023, so nothing else in the kiosk
 * touches it: replacing it (BarcodeDetector, zxing) means replacing this file only.
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

export function createCameraScanner(elementId: string, options: ScannerOptions = {}): Scanner {
  let reader: Html5Qrcode | null = null;
  let decoded: ReturnType<typeof dedupeScans> | null = null;
  return {
    async start(onCode) {
      decoded = dedupeScans(onCode, options);
      reader = new Html5Qrcode(elementId, { formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE], verbose: false });
      await reader.start(
        { facingMode: 'environment' },
        {
          fps: options.fps ?? 12,
          // html5-qrcode never decodes a code larger than its box: make the box most of the view.
          qrbox: (w: number, h: number) => {
            const side = Math.floor(Math.min(w, h) * 0.9);
            return { width: side, height: side };
          },
          disableFlip: true,
        },
        decoded,
        () => undefined, // "no code in this frame" fires constantly; it is not an error
      );
    },
    forget() {
      decoded?.forget();
    },
    async stop() {
      const r = reader;
      reader = null;
      if (r?.isScanning) await r.stop();
      r?.clear();
    },
  };
}
