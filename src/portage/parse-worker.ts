import { parentPort } from 'node:worker_threads';
import { parseFlatHere, prepareParsing, type WorkerAnswer } from './bash-parser.js';

/**
 * A worker thread that parses bash for bash-parser.ts: each message `{ id, text }` is answered with
 * the flat tree (its arrays transferred, not copied), the grammar's names with the first answer.
 * The parser loads as the thread starts, while the first texts are still being read.
 */
prepareParsing();
let namesSent = false;
parentPort!.on('message', async ({ id, text }: { id: number; text: string }) => {
  try {
    const parse = await parseFlatHere(text);
    const answer: WorkerAnswer = { id, ...(parse ? { flat: parse.flat } : {}), ...(parse && !namesSent ? { names: parse.names } : {}) };
    namesSent ||= parse !== undefined;
    const flat = parse?.flat;
    const arrays = flat ? [flat.types, flat.flags, flat.starts, flat.ends, flat.sizes, flat.fields, flat.namedByField] : [];
    parentPort!.postMessage(answer, arrays.map((array) => array.buffer as ArrayBuffer));
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies WorkerAnswer);
  }
});
