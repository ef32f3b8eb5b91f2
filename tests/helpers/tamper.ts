import { fromBase64Url, toBase64Url } from '../../server/domain/pass';

/** Flips one bit of one byte in a dot-separated base64url segment (1: payload, 2: signature). */
export function flipByte(text: string, segment: 1 | 2, index: number) {
  const parts = text.split('.');
  const bytes = fromBase64Url(parts[segment]!)!;
  bytes[index]! ^= 0x01;
  parts[segment] = toBase64Url(bytes);
  return parts.join('.');
}
