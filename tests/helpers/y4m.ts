import QRCode from 'qrcode';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WIDTH = 640;
const HEIGHT = 480;
// Video range luma: 16 is black, 235 is white.
const BLACK = 16;
const WHITE = 235;

export interface QrVideoOptions {
  /** Pixels per QR module. */
  scale?: number;
  /** Frames of the QR (15 fps). Chromium loops the file. */
  frames?: number;
  /** Blank frames before the QR appears (to time "QR appears → verdict"). */
  blankFramesBefore?: number;
}

function qrFrame(text: string | null, scale: number): Buffer {
  const y = Buffer.alloc(WIDTH * HEIGHT, WHITE);
  if (text !== null) {
    const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    const side = n * scale;
    const x0 = Math.floor((WIDTH - side) / 2);
    const y0 = Math.floor((HEIGHT - side) / 2);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (!qr.modules.get(r, c)) continue;
        for (let dy = 0; dy < scale; dy++) y.fill(BLACK, (y0 + r * scale + dy) * WIDTH + x0 + c * scale, (y0 + r * scale + dy) * WIDTH + x0 + (c + 1) * scale);
      }
    }
  }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128); // U and V planes: no colour
  return Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
}

/**
 * Writes a Y4M video (the format Chromium's fake camera reads) that shows `text` as a QR code.
 * The QR is drawn into the luma plane by hand from the qrcode package's module matrix.
 */
export function writeQrVideo(text: string | null, { scale, frames = 15, blankFramesBefore = 0 }: QrVideoOptions = {}, path?: string): string {
  const modules = text === null ? 21 : QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size;
  // ~320 px: about what a phone shows, comfortably inside html5-qrcode's scan box.
  const s = scale ?? Math.max(2, Math.floor(320 / modules));
  const dir = join(tmpdir(), 'gatehouse-y4m');
  mkdirSync(dir, { recursive: true });
  const file = path ?? join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}.y4m`);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F15:1 Ip A1:1 C420jpeg\n`);
  const blank = qrFrame(null, s);
  const code = qrFrame(text, s);
  const parts = [header, ...Array.from({ length: blankFramesBefore }, () => blank), ...Array.from({ length: frames }, () => code)];
  writeFileSync(file, Buffer.concat(parts));
  return file;
}
