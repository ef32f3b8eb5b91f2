import QRCode from 'qrcode';
import { createRequire } from 'node:module';
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

type Qr = ReturnType<typeof QRCode.create>;

function drawLuma(qr: Qr, scale: number, dx = 0, dy0 = 0): Buffer {
  const y = Buffer.alloc(WIDTH * HEIGHT, WHITE);
  const n = qr.modules.size;
  const side = n * scale;
  const x0 = Math.floor((WIDTH - side) / 2) + dx;
  const y0 = Math.floor((HEIGHT - side) / 2) + dy0;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++)
        y.fill(
          BLACK,
          (y0 + r * scale + dy) * WIDTH + x0 + c * scale,
          (y0 + r * scale + dy) * WIDTH + x0 + (c + 1) * scale,
        );
    }
  }
  return y;
}

// The decoder html5-qrcode runs in the kiosk (zxing-js), loaded here to check our test frames.
const ZXing = createRequire(import.meta.url)('html5-qrcode/third_party/zxing-js.umd.js');
function zxingReads(luma: Buffer, text: string): boolean {
  try {
    const source = new ZXing.RGBLuminanceSource(new Uint8ClampedArray(luma), WIDTH, HEIGHT);
    return (
      new ZXing.QRCodeReader().decode(new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(source))).getText() === text
    );
  } catch {
    return false;
  }
}

/**
 * The QR for `text`, with a mask pattern zxing-js reads from a perfect synthetic frame.
 * zxing-js fails on about one in eight noise-free frames whatever the mask (measured: 53 of
 * 300 pass-like texts), and another of the eight masks the standard allows always reads.
 * A real camera's frames vary; a looping test video repeats one frame forever, so the test
 * picks a mask the decoder reads instead of flaking. Every mask encodes the same text.
 */
function decodableQr(text: string, scale: number): { qr: Qr; luma: Buffer } {
  const auto = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const candidates = [
    auto,
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((m) =>
      QRCode.create(text, { errorCorrectionLevel: 'M', maskPattern: m as QRCode.QRCodeMaskPattern }),
    ),
  ];
  for (const qr of candidates) {
    const luma = drawLuma(qr, scale);
    if (zxingReads(luma, text)) return { qr, luma };
  }
  throw new Error(`no QR mask of ${JSON.stringify(text)} is readable by zxing-js`);
}

/**
 * A frame of the code as a hand-held phone shows it: frame `i` shifts it by a few pixels and
 * every other frame draws it one pixel per module smaller, so the decoder sees varied frames.
 */
function qrFrame(text: string | null, scale: number, i = 0): Buffer {
  const wobble = [
    [0, 0],
    [3, 1],
    [-2, 3],
    [1, -3],
    [-3, -1],
  ][i % 5]!;
  const y =
    text === null
      ? Buffer.alloc(WIDTH * HEIGHT, WHITE)
      : drawLuma(decodableQr(text, scale).qr, i % 2 ? scale - 1 : scale, wobble[0], wobble[1]);
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128); // U and V planes: no colour
  return Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
}

/**
 * Writes a Y4M video (the format Chromium's fake camera reads) that shows `text` as a QR code.
 * The QR is drawn into the luma plane by hand from the qrcode package's module matrix.
 */
export function writeQrVideo(
  text: string | null,
  { scale, frames = 15, blankFramesBefore = 0 }: QrVideoOptions = {},
  path?: string,
): string {
  const modules = text === null ? 21 : QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size;
  // ~320 px: about what a phone shows, comfortably inside html5-qrcode's scan box.
  const s = scale ?? Math.max(2, Math.floor(320 / modules));
  const dir = join(tmpdir(), 'gatehouse-y4m');
  mkdirSync(dir, { recursive: true });
  const file = path ?? join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}.y4m`);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F15:1 Ip A1:1 C420jpeg\n`);
  const blank = qrFrame(null, s);
  const codes = Array.from({ length: Math.min(frames, 10) }, (_, i) => qrFrame(text, s, i));
  const parts = [
    header,
    ...Array.from({ length: blankFramesBefore }, () => blank),
    ...Array.from({ length: frames }, (_, i) => codes[i % codes.length]!),
  ];
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** A QR as any encoder gives it: its side in modules and which modules are dark. */
export interface ModuleMatrix {
  size: number;
  isDark(row: number, col: number): boolean;
}

/** One stretch of a sweep video: the code, its side as a share of the frame's short side, and where its centre is. */
export interface SweepSegment {
  code: ModuleMatrix;
  /** Side of the symbol (without its quiet zone) as a share of the frame's short side. */
  share: number;
  /** Centre, as shares of the frame's width and height. */
  at: [number, number];
  frames: number;
}

/**
 * Draws a code at any size (module edges rounded per pixel, as a camera's sampling does) with a
 * little sensor noise, seeded per frame, so no two frames of a stretch are the same picture.
 */
function sweepFrame(s: SweepSegment, frame: number): Buffer {
  const y = Buffer.alloc(WIDTH * HEIGHT, WHITE);
  const side = s.share * Math.min(WIDTH, HEIGHT);
  const module = side / s.code.size;
  const x0 = s.at[0] * WIDTH - side / 2 + ((frame * 7) % 5) - 2;
  const y0 = s.at[1] * HEIGHT - side / 2 + ((frame * 3) % 5) - 2;
  for (let py = Math.max(0, Math.floor(y0)); py < Math.min(HEIGHT, Math.ceil(y0 + side)); py++) {
    const r = Math.floor((py + 0.5 - y0) / module);
    if (r < 0 || r >= s.code.size) continue;
    for (let px = Math.max(0, Math.floor(x0)); px < Math.min(WIDTH, Math.ceil(x0 + side)); px++) {
      const c = Math.floor((px + 0.5 - x0) / module);
      if (c >= 0 && c < s.code.size && s.code.isDark(r, c)) y[py * WIDTH + px] = BLACK;
    }
  }
  let seed = frame * 2654435761;
  for (let i = 0; i < y.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    y[i] = Math.min(WHITE, Math.max(BLACK, y[i]! + ((seed >>> 24) % 17) - 8));
  }
  return Buffer.concat([Buffer.from('FRAME\n'), y, Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128)]);
}

/** A Y4M video (15 fps, looped by Chromium) that shows each segment in turn. */
export function writeSweepVideo(segments: SweepSegment[]): string {
  const dir = join(tmpdir(), 'gatehouse-y4m');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `sweep-${Date.now()}-${Math.random().toString(36).slice(2)}.y4m`);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F15:1 Ip A1:1 C420jpeg\n`);
  let n = 0;
  const frames = segments.flatMap((s) => Array.from({ length: s.frames }, () => sweepFrame(s, n++)));
  writeFileSync(file, Buffer.concat([header, ...frames]));
  return file;
}
