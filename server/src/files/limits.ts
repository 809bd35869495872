/**
 * Sizes the tools refuse to read past, in one place so the CLI, the language server and the docs
 * agree.
 */

/**
 * The largest trait document read from disk, in bytes (10 MiB: a Model Spec is about 0.3 MiB).
 * `lint`, `outline`, `preview` and `generate` refuse a larger file with a message naming this
 * limit, rather than read an endless or enormous file into memory.
 */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** The largest workspace prompt template read (`.traits/prompts/<stage>.md`), in bytes: 1 MiB. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
