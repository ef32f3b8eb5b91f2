/** What changed, so open live walls can refresh: gate events synced, an alert acknowledged. */
export type LiveEvent = { kind: 'gate_events'; gateIds: number[] } | { kind: 'alert_ack' } | { kind: 'device' };

/**
 * In-process fan-out to the live walls' SSE streams. One server process serves a campus, so no
 * broker: a listener that throws is dropped rather than breaking the publisher.
 */
export function createLiveBus() {
  const listeners = new Set<(e: LiveEvent) => void>();
  return {
    publish(e: LiveEvent) {
      for (const l of listeners) {
        try {
          l(e);
        } catch {
          listeners.delete(l);
        }
      }
    },
    subscribe(l: (e: LiveEvent) => void) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    get size() {
      return listeners.size;
    },
  };
}
export type LiveBus = ReturnType<typeof createLiveBus>;
