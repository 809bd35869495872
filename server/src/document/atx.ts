const isBlank = (c: number) => c === 32 || c === 9;

/**
 * The title of an ATX heading line (`## Title ##`) and its indent, as
 * /^( {0,3})(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/s reads them (content '' where it fails):
 * blanks trimmed, and a closing run of `#` after a blank left out.
 */
// A scan, not the expression: it backtracked quadratically over blanks inside the title.
export function atxContent(line: string): { indent: number; content: string } {
  let p = 0;
  while (p < 3 && line.charCodeAt(p) === 32) p++;
  const indent = p;
  while (line.charCodeAt(p) === 35) p++;
  const hashes = p - indent;
  if (hashes < 1 || hashes > 6) return { indent: 0, content: '' };
  if (p === line.length || !isBlank(line.charCodeAt(p))) return { indent: p < line.length ? 0 : indent, content: '' };
  let from = p;
  while (from < line.length && isBlank(line.charCodeAt(from))) from++;
  let to = line.length;
  while (to > from && isBlank(line.charCodeAt(to - 1))) to--;
  if (line.charCodeAt(to - 1) === 35) {
    let h = to - 1;
    while (h > from && line.charCodeAt(h - 1) === 35) h--;
    if (h > from && isBlank(line.charCodeAt(h - 1))) {
      to = h - 1;
      while (to > from && isBlank(line.charCodeAt(to - 1))) to--;
    }
  }
  return { indent, content: line.slice(from, to) };
}
