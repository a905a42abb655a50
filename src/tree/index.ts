export * from './types.js';
export * from './paths.js';
export * from './pending.js';
export * from './memory.js';
