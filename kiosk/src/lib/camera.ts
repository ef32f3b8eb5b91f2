import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';
import { dedupeScans, type Scanner, type ScannerOptions } from './scanner';

/** The one file that touches html5-qrcode (scanner.ts loads it as a chunk of its own). */
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
          // No scan box: html5-qrcode decodes only what lies inside its box, so a code held close (larger
          // than the box) or off-centre was never read (tests/e2e/scanner-sizes.test.ts). The whole
          // frame is scanned; the view is not shaded.
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
