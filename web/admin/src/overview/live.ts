/**
 * Live updates: GET /v1/live (server-sent events, one `change` per event of the store). Each
 * change refreshes the overview within half a second (changes in a burst refresh it once). When
 * the server has no event stream, or it fails, the overview is polled instead.
 */
import { useEffect, useState } from 'react';

export type LiveState = 'connecting' | 'live' | 'polling';

export const POLL_MS = 10_000;

export function useLive(onChange: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setState('polling');
      return;
    }
    const source = new EventSource('/v1/live');
    let timer: ReturnType<typeof setTimeout> | null = null;
    source.addEventListener('open', () => setState('live'));
    source.addEventListener('change', () => {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        onChange();
      }, 300);
    });
    source.addEventListener('error', () => {
      // CLOSED: the server refused the stream (no such endpoint, signed out); CONNECTING: it retries.
      setState(source.readyState === EventSource.CLOSED ? 'polling' : 'connecting');
    });
    return () => {
      if (timer !== null) clearTimeout(timer);
      source.close();
    };
  }, [onChange]);
  return state;
}
