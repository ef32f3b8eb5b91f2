import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { normalizeName } from './names';
import { bytesToHex } from './pass';

const utf8ToBytes = (s: string) => new TextEncoder().encode(s);

/**
 * Finding a visitor by full name on a tablet that holds only masked names: the snapshot carries a keyed
 * digest of each visitor's normalised full name and the tablet digests what the guard types. The key is
 * the tablet's own (derived from the campus key and its id), so digests copied off one tablet cannot be
 * matched against another's or against a list of names without that tablet's snapshot. Pure: the server
 * and the kiosk use the same two functions.
 */
export const deviceNameLookupKey = (campusKey: Uint8Array, deviceId: number) =>
  hmac(sha256, campusKey, utf8ToBytes(`name-lookup:device:${deviceId}`));

/** 128 bits of HMAC-SHA-256 as hex: a gate's few thousand names never collide by chance. */
export const nameLookupDigest = (key: Uint8Array, fullName: string) =>
  bytesToHex(hmac(sha256, key, utf8ToBytes(normalizeName(fullName)))).slice(0, 32);
