import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@mlops/events/testing';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnService } from './children.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('spawnService', () => {
  it('runs a service with the node flags of a deployed one, its output in its log file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'launcher-children-'));
    await writeFile(join(dir, 'entry.mjs'), 'console.log(JSON.stringify(process.execArgv));');
    const service = { name: 'registry', entry: 'entry.mjs', loadSpec: () => Promise.reject(new Error('not loaded here')) } as const;
    const child = spawnService(service, dir, { PATH: process.env['PATH'] ?? '' }, dir);
    await waitFor(() => child.exited() || undefined, 'the entry to exit');
    expect(await child.stop()).toBe(0);
    const logged = await waitFor(async () => (await readFile(child.logFile, 'utf8')).trim() || undefined, 'the entry to log its flags');
    expect(JSON.parse(logged)).toEqual(expect.arrayContaining([...SERVICE_NODE_FLAGS]));
  });
});
