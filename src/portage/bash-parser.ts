import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Parser } from 'web-tree-sitter';
import { flattenTree, grammarNames, inheritedFields, type FlatTree, type GrammarNames } from './syntax.js';

/**
 * Where bash is parsed: tree-sitter's bash grammar in this thread, or in worker threads that hand
 * back flat trees (see syntax.ts). Parsing is most of what a first `validate` computes; in workers it
 * runs beside the checks instead of before them.
 */

let bashParser: Promise<Parser> | undefined;

/**
 * The tree-sitter bash parser of this thread, loaded (module and wasm) once on first use. Its wasm
 * runs on V8's baseline compiler only: optimising the grammar's huge lexer and parse tables costs
 * about a second of CPU on a background thread, which a run parsing some megabytes of bash never
 * wins back (on 800 kB of eclasses: 180 ms a pass from the first one, against 460, 260, 260, then 120 ms).
 */
export function loadBashParser(): Promise<Parser> {
  bashParser ??= (async () => {
    setFlagsFromString('--liftoff-only');
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
    const parser = new Parser();
    parser.setLanguage(await Language.load(wasm));
    return parser;
  })();
  return bashParser;
}

/**
 * Loads what the first parse of this thread needs (the parser, and the grammar's table of fields
 * that copying a tree reads) before the first text comes. A failure is not reported here: the first
 * parse fails and says why.
 */
export function prepareParsing(): void {
  loadBashParser().then(inheritedFields, () => undefined);
}

/** A parse's result: the flat tree and the grammar's names for its ids. */
export interface FlatParse {
  readonly flat: FlatTree;
  readonly names: GrammarNames;
}

/** Parses `text` in this thread; undefined when tree-sitter gives no tree. */
export async function parseFlatHere(text: string): Promise<FlatParse | undefined> {
  const parser = await loadBashParser();
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    return { flat: flattenTree(tree), names: grammarNames(tree.language) };
  } finally {
    tree.delete();
  }
}

/** A message from a parse worker: the answer to request `id`. */
export type WorkerAnswer = { readonly id: number; readonly flat?: FlatTree; readonly names?: GrammarNames; readonly error?: string };

interface Pending {
  readonly text: string;
  resolve(parse: FlatParse | undefined): void;
  reject(error: Error): void;
}

/** One worker thread and the requests it has not answered yet. */
class ParseWorker {
  private readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  private names: GrammarNames | undefined;
  failed = false;

  constructor(url: URL) {
    this.worker = new Worker(url);
    this.worker.on('message', (answer: WorkerAnswer) => {
      const request = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) this.worker.unref();
      this.names ??= answer.names;
      if (!request) return;
      if (answer.error !== undefined) request.reject(new Error(answer.error));
      else request.resolve(answer.flat && this.names ? { flat: answer.flat, names: this.names } : undefined);
    });
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
    // After the listeners: adding a message listener refs the worker again.
    this.worker.unref();
  }

  parse(id: number, text: string): Promise<FlatParse | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { text, resolve, reject });
      this.worker.postMessage({ id, text });
    });
  }

  /** A worker that stopped answers no more: what it was asked and had not answered is parsed in this thread. */
  private fail(): void {
    this.failed = true;
    for (const request of this.pending.values()) parseFlatHere(request.text).then(request.resolve, request.reject);
    this.pending.clear();
  }
}

const WORKER = new URL('./parse-worker.js', import.meta.url);
let workers: ParseWorker[] = [];
let nextRequest = 1;

/** Parses `text` in the least busy worker thread, or in this thread where there is none. */
export function parseFlat(text: string): Promise<FlatParse | undefined> {
  const available = workers.filter((worker) => !worker.failed);
  if (available.length === 0) return parseFlatHere(text);
  const worker = available.reduce((best, candidate) => (candidate.pending.size < best.pending.size ? candidate : best));
  return worker.parse(nextRequest++, text);
}

/**
 * Sends the parses of this process to worker threads from now on, started now so that they are
 * ready when the first text comes: for the jobs that parse megabytes of bash (validate), where
 * starting a thread is worth it. One per core beside this thread's, at most three; none (this
 * thread parses) on one core or when the worker's module is not there, as when the sources run
 * untranspiled under the test runner.
 */
export function useParseWorkers(): void {
  if (workers.length > 0) return;
  const count = Math.min(3, availableParallelism() - 1);
  if (count > 0 && existsSync(fileURLToPath(WORKER))) workers = Array.from({ length: count }, () => new ParseWorker(WORKER));
  else prepareParsing();
}
