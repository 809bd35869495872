/**
 * Growable typed arrays: the audit's per-record features (a code per detector, a word count, a
 * trait index, word ids) are kept as numbers in these, a few bytes a record, not as objects.
 */
type Typed = Uint8Array | Int32Array | Uint32Array;

/** A typed array that grows as values are pushed (doubling), read back with `values()`. */
export class Column<T extends Typed> {
  private data: T;
  length = 0;

  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data as never);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** The values pushed so far (a view: valid until the next push). */
  values(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const uint8Column = () => new Column((n) => new Uint8Array(n));
export const int32Column = () => new Column((n) => new Int32Array(n));
export const uint32Column = () => new Column((n) => new Uint32Array(n));
