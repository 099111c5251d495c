import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const trust = (value: string) => loadConfig({ BACKFILL_TRUST_PROXY: value }).trustProxy;

describe('BACKFILL_TRUST_PROXY', () => {
  it('takes a number of hops, or addresses and ranges', () => {
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 192.168.1.7, fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(trust('')).toBeNull();
  });

  it('refuses a range that trusts every address with a clear message, not a crash at start-up', () => {
    for (const value of ['0.0.0.0/0', '10.0.0.0/8, ::/0', '::/00']) {
      expect(() => trust(value)).toThrow(ConfigError);
      expect(() => trust(value)).toThrow(/would trust every address/);
    }
  });

  it('refuses what is neither hops nor addresses', () => {
    for (const value of ['0', '21', 'loopback', '10.0.0.0/33', '::1/129', 'a/b/c']) {
      expect(() => trust(value)).toThrow(ConfigError);
    }
  });
});
