/** `array` copied into a new one of at least `size` elements: twice as long, or `size` if that is more. */
export function grownTo(array: Int32Array, size: number): Int32Array {
  const out = new Int32Array(Math.max(size, 2 * array.length));
  out.set(array);
  return out;
}
