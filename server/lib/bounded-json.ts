/**
 * JSON of something a client sent, cut to what is worth keeping: at most `maxDepth` levels (deeper
 * values become "…") and `maxLength` characters. JSON.stringify recurses and overflows the stack on
 * a value nested some thousands deep: one such item once sank the valid events of its batch.
 */
export function boundedJson(value: unknown, { maxDepth = 12, maxLength = 2048 } = {}): string {
  let out = '';
  const write = (v: unknown, depth: number): void => {
    if (out.length > maxLength) return;
    if (v === null || typeof v !== 'object') {
      out +=
        typeof v === 'string'
          ? JSON.stringify(v.length > maxLength ? v.slice(0, maxLength) : v)
          : (JSON.stringify(v) ?? 'null');
      return;
    }
    if (depth >= maxDepth) {
      out += '"…"';
      return;
    }
    if (Array.isArray(v)) {
      out += '[';
      v.some((item, i) => {
        if (i > 0) out += ',';
        write(item, depth + 1);
        return out.length > maxLength;
      });
      out += ']';
      return;
    }
    out += '{';
    Object.entries(v).some(([k, item], i) => {
      out += `${i > 0 ? ',' : ''}${JSON.stringify(k.slice(0, 100))}:`;
      write(item, depth + 1);
      return out.length > maxLength;
    });
    out += '}';
  };
  write(value, 0);
  return out.slice(0, maxLength);
}
