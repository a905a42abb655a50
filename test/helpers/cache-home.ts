import { afterEach, beforeEach } from 'vitest';
import { makeTempDir } from './git.js';

/**
 * Gives each test of the file a cache home of its own (NANO_OVERLAY_CACHE, a new temporary
 * directory), restoring the setting afterwards; returns a reader of the current one.
 */
export function freshCacheHomes(prefix = 'nano-overlay-cache-'): () => string {
  let saved: string | undefined;
  let home = '';
  beforeEach(async () => {
    saved = process.env.NANO_OVERLAY_CACHE;
    home = await makeTempDir(prefix);
    process.env.NANO_OVERLAY_CACHE = home;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NANO_OVERLAY_CACHE;
    else process.env.NANO_OVERLAY_CACHE = saved;
  });
  return () => home;
}
