// Builds the web app when its sources changed, once per test run, before any browser test starts (two
// files building at once would overwrite each other's output). A failed build does not stop the server's
// tests: the browser tests report it.
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM module without types, shared with the launcher
import { ensureWebBuild, webBuildDir } from '../../../deploy/web-build.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    webBuildDir: string;
    webBuildError: string | null;
  }
}

/**
 * Whether this run includes the browser tests: a run of the whole suite, or one whose file filters name
 * something under web/. A run of server files only skips the build.
 */
function runsBrowserTests(): boolean {
  // File filters are paths (or parts of them); option values like `--reporter verbose` are not.
  const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-') && /[/.]/.test(arg));
  return filters.length === 0 || filters.some((filter) => filter.includes('web'));
}

export default async function setup(project: TestProject): Promise<void> {
  let error: string | null = 'the web app was not built in this run (no browser test was selected)';
  if (runsBrowserTests()) {
    try {
      await ensureWebBuild(process.execPath);
      error = null;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  project.provide('webBuildDir', webBuildDir as string);
  project.provide('webBuildError', error);
}
