import { spawn } from 'node:child_process';

/** Options for one git invocation. */
export interface GitRunOptions {
  /** Bytes written to git's standard input. */
  input?: Buffer | string;
  /** Variables added to the environment (for example GIT_INDEX_FILE or an author identity). */
  env?: Record<string, string>;
  /** Exit codes other than 0 that are an answer rather than a failure (for example 1 from `show-ref --verify`). */
  okCodes?: number[];
}

/** The result of a git invocation that exited with an accepted code. */
export interface GitResult {
  code: number;
  stdout: Buffer;
}

/** A git command that failed; carries git's own error output. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (${code ?? 'killed'}): ${stderr.trim()}`);
    this.name = 'GitCommandError';
  }
}

/**
 * The environment for git child processes: the caller's, without the variables that would redirect git
 * away from the repository named by the working directory, and with messages in the C locale.
 */
export function gitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY']) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/** Runs `git args` in `cwd` and collects its output; rejects with GitCommandError on an unexpected exit code. */
export function runGit(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: gitEnvironment(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) {
        resolve({ code, stdout: Buffer.concat(stdout) });
      } else {
        reject(new GitCommandError(args, code, Buffer.concat(stderr).toString('utf8')));
      }
    });
    child.stdin.on('error', () => {
      // git may exit before reading all input; the exit code reports what went wrong.
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `git args` in `cwd` and returns its standard output as text without the trailing newline. */
export async function gitText(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<string> {
  const { stdout } = await runGit(cwd, args, options);
  return stdout.toString('utf8').replace(/\n$/, '');
}
