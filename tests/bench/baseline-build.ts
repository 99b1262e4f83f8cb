/**
 * "Today's" build for a side-by-side benchmark: a commit checked out in a git worktree under the temp
 * directory, built with this checkout's node_modules (symlinked; hard-linked with `cp -al` if the build
 * fails through the link), removed again when the benchmark ends, fails or is interrupted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';

export interface BaselineBuild {
  /** The commit, abbreviated, and its subject line. */
  commit: string;
  subject: string;
  /** The built CLI (out/main/cli.js in the worktree). */
  cli: string;
  /** Removes the worktree. */
  remove(): void;
}

const git = (repo: string, args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Checks out `rev` of the repository at `repo` in a temp worktree and builds it (npx electron-vite build). */
export function buildBaseline(repo: string, rev: string): BaselineBuild {
  const sha = git(repo, ['rev-parse', '--verify', `${rev}^{commit}`]);
  const commit = sha.slice(0, 7);
  const subject = git(repo, ['log', '-1', '--format=%s', sha]);
  const parent = mkdtempSync(join(tmpdir(), 'guidepost-baseline-'));
  const dir = join(parent, commit);
  const remove = (): void => {
    // The link first, by itself: nothing below may reach through it into this checkout's node_modules.
    const modules = join(dir, 'node_modules');
    if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) unlinkSync(modules);
    try {
      git(repo, ['worktree', 'remove', '--force', dir]);
    } catch {
      // Not added, or already gone: prune forgets it either way.
    }
    rmSync(parent, { recursive: true, force: true });
    git(repo, ['worktree', 'prune']);
  };
  const forget = onCleanup(remove);
  git(repo, ['worktree', 'add', '--detach', dir, sha]);
  const build = (): void => {
    execFileSync(join(repo, 'node_modules', '.bin', 'electron-vite'), ['build', '--logLevel', 'error'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  try {
    build();
  } catch {
    rmSync(join(dir, 'node_modules'));
    execFileSync('cp', ['-al', join(repo, 'node_modules'), join(dir, 'node_modules')]);
    build();
  }
  const cli = join(dir, 'out', 'main', 'cli.js');
  if (!existsSync(cli)) throw new Error(`The baseline ${commit} built no out/main/cli.js.`);
  return {
    commit,
    subject,
    cli,
    remove: () => {
      remove();
      forget();
    },
  };
}
