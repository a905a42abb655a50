import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { makeTempDir } from './git.js';

/** Where the browser tests find Chromium (Debian's package); they are skipped without it. */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** Runs headless Chromium on `url` with `args`, returning what it prints. */
export async function chromium(url: string, ...args: string[]): Promise<string> {
  const profile = await makeTempDir('nano-overlay-chromium-');
  return execFileSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
      url,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
}

/** What a measuring script left in the page's `<pre id="measured">`, as JSON. */
export function measuredFrom(dom: string): Record<string, unknown> {
  const text = /<pre id="measured">([\s\S]*?)<\/pre>/.exec(dom)?.[1] ?? '{}';
  return JSON.parse(text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Record<string, unknown>;
}
