import { slug } from 'github-slugger';
import { memo } from '../analysis/memo';

const slugs = memo<string>(20_000);

/**
 * GitHub's heading ids for one document, as github-slugger's `GithubSlugger.slug` gives them: the
 * title's slug, then `-1`, `-2` … for a slug already given. The slug of each title is memoised (a
 * parse after every keystroke slugs every heading again); only the numbering is per document.
 */
export class HeadingSlugger {
  private readonly occurrences = new Map<string, number>();

  /** The id of the next heading titled `title`. */
  slug(title: string): string {
    const base = slugs.get(title, (t) => slug(t));
    let result = base;
    while (this.occurrences.has(result)) {
      const n = this.occurrences.get(base)! + 1;
      this.occurrences.set(base, n);
      result = `${base}-${n}`;
    }
    this.occurrences.set(result, 0);
    return result;
  }
}
