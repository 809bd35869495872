/** HeadingSlugger gives the ids github-slugger gives, numbering included, whatever the titles. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import GithubSlugger from 'github-slugger';
import { HeadingSlugger } from '../../server/src/document/slugs';

const ids = (Slugger: new () => { slug(title: string): string }, titles: readonly string[]) => {
  const slugger = new Slugger();
  return titles.map((t) => slugger.slug(t));
};

describe('HeadingSlugger', () => {
  it('numbers repeated slugs as github-slugger does, also when a title reads like a numbered one', () => {
    const titles = ['Be honest', 'Be honest', 'be-honest-1', 'Be Honest!', 'Be honest', '__proto__', 'constructor', '', ''];
    assert.deepEqual(ids(HeadingSlugger, titles), [
      'be-honest',
      'be-honest-1',
      'be-honest-1-1',
      'be-honest-2',
      'be-honest-3',
      '__proto__',
      'constructor',
      '',
      '-1',
    ]);
    assert.deepEqual(ids(HeadingSlugger, titles), ids(GithubSlugger, titles));
  });

  it('equals github-slugger on any list of titles', () => {
    const title = fc.oneof(fc.constantFrom('A', 'a', 'a-1', 'a 1', 'A-2', 'b', '-', ' '), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(title, { maxLength: 30 }), (titles) =>
        assert.deepEqual(ids(HeadingSlugger, titles), ids(GithubSlugger, titles)),
      ),
    );
  });
});
