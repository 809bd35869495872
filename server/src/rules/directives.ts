import type { Directive } from '../document/model';
import { findRule } from './registry';

/**
 * Decides which findings inline comments suppress:
 * `<!-- traits-disable-next-line RULE... -->` (the line after the comment),
 * `<!-- traits-disable RULE... -->` ... `<!-- traits-enable RULE... -->` (from the comment's line on),
 * `<!-- traits-disable-file RULE... -->` (the whole file, wherever it stands).
 * No rule named means every rule. Rules are named by name or id.
 */
export class Suppressions {
  private readonly fileWide = new Set<string>();
  private fileWideAll = false;
  private readonly nextLine = new Map<number, Set<string> | 'all'>();
  private readonly toggles: { line: number; enable: boolean; rules: string[] }[] = [];

  constructor(directives: readonly Directive[]) {
    for (const d of directives) {
      if (d.kind === 'unknown') continue;
      const rules = d.rules.map((r) => findRule(r)?.name ?? r);
      if (d.kind === 'disable-file') {
        if (!rules.length) this.fileWideAll = true;
        rules.forEach((r) => this.fileWide.add(r));
      } else if (d.kind === 'disable-next-line') {
        const line = d.range.end.line + 1;
        const current = this.nextLine.get(line);
        if (!rules.length || current === 'all') this.nextLine.set(line, 'all');
        else if (current) rules.forEach((r) => current.add(r));
        else this.nextLine.set(line, new Set(rules));
      } else if (d.kind === 'disable' || d.kind === 'enable') {
        this.toggles.push({ line: d.range.start.line, enable: d.kind === 'enable', rules });
      }
    }
  }

  /**
   * Filters findings (given with their rule name and start line) down to those not suppressed.
   * One sweep over findings sorted by line: O((findings + directives) log findings).
   */
  filter<T extends { rule: string; range: { start: { line: number } } }>(findings: readonly T[]): T[] {
    if (this.fileWideAll) return [];
    const sorted = [...findings].sort((a, b) => a.range.start.line - b.range.start.line);
    const disabled = new Set<string>();
    const exempt = new Set<string>();
    let allDisabled = false;
    let next = 0;
    return sorted.filter((f) => {
      const line = f.range.start.line;
      for (; next < this.toggles.length && this.toggles[next].line <= line; next++) {
        const { enable, rules } = this.toggles[next];
        if (!rules.length) {
          allDisabled = !enable;
          disabled.clear();
          exempt.clear();
        } else {
          for (const r of rules) {
            if (enable) {
              disabled.delete(r);
              if (allDisabled) exempt.add(r);
            } else {
              disabled.add(r);
              exempt.delete(r);
            }
          }
        }
      }
      if (this.fileWide.has(f.rule) || disabled.has(f.rule) || (allDisabled && !exempt.has(f.rule))) return false;
      const onLine = this.nextLine.get(line);
      return !(onLine === 'all' || onLine?.has(f.rule));
    });
  }
}
