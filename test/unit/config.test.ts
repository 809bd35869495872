import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseTraitDocument } from '../../server/src/document/parse';
import { resolveRules, validateConfigFile, validateFrontMatter } from '../../server/src/rules/config';
import { ConfigFiles, findConfigFile, loadConfigFile, parseConfigText } from '../../server/src/rules/configFile';
import { lintDocument } from '../../server/src/rules/lint';

const SHORT = (title: string) => `## ${title}\n\nBe nice.\n`;
const vague = (text: string) =>
  lintDocument(parseTraitDocument(text))
    .diagnostics.filter((d) => d.rule === 'vague-trait')
    .map((d) => d.range.start.line);

describe('settings', () => {
  it('resolves severities and options by name or id, later layers winning', () => {
    const rules = resolveRules([
      { 'vague-trait': 'error', TS301: { budget: 10 } },
      { vague_trait: 'off', ts203: { severity: 'info', minWords: 3 } } as never,
    ]);
    const get = (name: string) => rules.find((r) => r.rule.name === name)!;
    assert.equal(get('vague-trait').severity, 'information');
    assert.equal(get('vague-trait').options.minWords, 3);
    assert.equal(get('vague-trait').options.maxVagueRatio, 0.2);
    assert.equal(get('chunk-too-long').options.budget, 10);
    assert.equal(get('chunk-too-long').severity, 'warning');
    assert.equal(resolveRules([{ 'missing-rationale': false }]).find((r) => r.rule.name === 'missing-rationale')!.severity, undefined);
    assert.equal(resolveRules([{ 'isolated-trait': true }]).find((r) => r.rule.name === 'isolated-trait')!.severity, 'information');
  });

  it('explains schema problems in plain words, each at its key path', () => {
    assert.deepEqual(validateFrontMatter({ name: 'x', lint: { 'missing-rationale': 'warning' } }), []);
    assert.deepEqual(validateFrontMatter({ traitHeadingLevel: 0, nmae: 'x' }), [
      { path: ['nmae'], message: 'Unknown front matter key "nmae": did you mean "name"? It is ignored.', ignoredKey: 'warning' },
      { path: ['traitHeadingLevel'], message: '"traitHeadingLevel" must be >= 1.' },
    ]);
    const [problem] = validateFrontMatter({ lint: { 'chunk-too-long': { budjet: 3 } } });
    assert.deepEqual(problem.path, ['lint', 'chunk-too-long', 'budjet']);
    assert.match(problem.message, /Unknown option "budjet" for rule chunk-too-long\. Options: severity, budget, charsPerToken\./);
    assert.deepEqual(
      validateFrontMatter('just a string').map((p) => p.message),
      ['The front matter must be a mapping of keys to values.'],
    );
    assert.deepEqual(validateConfigFile({ lint: { 'vague-trait': 'warning' }, $schema: 'x' }), []);
  });

  it('says which rule an option belongs to (by id too), which branch of a setting is wrong, and each problem once', () => {
    const messages = (data: unknown) => validateConfigFile(data).map((p) => `${p.path.join('.')}: ${p.message}`);
    assert.deepEqual(messages([1]), [': The config must be a mapping of keys to values.']);
    assert.deepEqual(messages({ lint: { TS301: { budjet: 3 } } }), [
      'lint.TS301.budjet: Unknown option "budjet" for rule chunk-too-long. Options: severity, budget, charsPerToken.',
    ]);
    // An object setting is checked as options, not also as a severity (and the reverse).
    assert.deepEqual(messages({ lint: { 'vague-trait': { minWords: 'many', severity: 'loud' } } }), [
      'lint.vague-trait.severity: "lint.vague-trait.severity" must be a severity: off, error, warning, information (or info), hint, true or false.',
      'lint.vague-trait.minWords: "lint.vague-trait.minWords" must be integer.',
    ]);
    assert.deepEqual(messages({ lint: { 'vague-trait': 7 } }), [
      'lint.vague-trait: "lint.vague-trait" must be a severity: off, error, warning, information (or info), hint, true or false.',
    ]);
    assert.match(
      messages({ lint: { 'a/b': 'off' } })[0],
      /^lint\.a\/b: Unknown rule "a\/b" in lint settings\. Rules: front-matter, empty-trait, /,
    );
  });

  it('accepts every way of naming a severity', () => {
    for (const severity of ['off', 'error', 'warning', 'information', 'info', 'hint', true, false]) {
      assert.deepEqual(validateConfigFile({ lint: { 'vague-trait': severity, 'chunk-too-long': { severity } } }), [], String(severity));
    }
  });

  it('holds each rule option to its range', () => {
    const message = (lint: object) => validateConfigFile({ lint }).map((p) => p.message);
    assert.deepEqual(message({ 'chunk-too-long': { charsPerToken: 0 } }), ['"lint.chunk-too-long.charsPerToken" must be > 0.']);
    assert.deepEqual(message({ 'chunk-too-long': { charsPerToken: 'x' } }), ['"lint.chunk-too-long.charsPerToken" must be number.']);
    assert.deepEqual(message({ 'duplicate-trait': { threshold: 0 } }), ['"lint.duplicate-trait.threshold" must be > 0.']);
    assert.deepEqual(message({ 'duplicate-trait': { threshold: 1.5 } }), ['"lint.duplicate-trait.threshold" must be <= 1.']);
    assert.deepEqual(message({ 'vague-trait': { maxVagueRatio: 1.5 } }), ['"lint.vague-trait.maxVagueRatio" must be <= 1.']);
    assert.deepEqual(message({ 'vague-trait': { maxVagueRatio: -1 } }), ['"lint.vague-trait.maxVagueRatio" must be >= 0.']);
    assert.deepEqual(message({ 'vague-trait': { minWords: -1 } }), ['"lint.vague-trait.minWords" must be >= 0.']);
    assert.deepEqual(
      message({
        'vague-trait': { minWords: 3, maxVagueRatio: 1 },
        'duplicate-trait': { threshold: 1 },
        'chunk-too-long': { charsPerToken: 0.5 },
      }),
      [],
    );
  });

  it('lists the values of a front matter key that is not a severity', () => {
    assert.deepEqual(validateFrontMatter({ listItemTraits: 'yes' }), [
      { path: ['listItemTraits'], message: '"listItemTraits" must be one of true, false, "auto".' },
    ]);
    assert.deepEqual(validateFrontMatter({ zzzzzzzzzz: 1 }), [
      {
        path: ['zzzzzzzzzz'],
        message:
          'Front matter key "zzzzzzzzzz" is not one Trait Studio reads; it is ignored. Keys it reads: name, version, model, description, traitHeadingLevel, listItemTraits, lint.',
        ignoredKey: 'information',
      },
    ]);
  });

  it('ignores invalid front-matter settings instead of half-applying them', () => {
    const text = `---\nlint:\n  vague-trait: off\n  not-a-rule: on\n---\n${SHORT('Be kind')}`;
    const { diagnostics } = lintDocument(parseTraitDocument(text));
    assert.deepEqual(
      diagnostics.filter((d) => d.rule === 'front-matter').map((d) => [d.range.start.line, d.message.slice(0, 30)]),
      [[3, 'Unknown rule "not-a-rule" in l']],
    );
    assert.equal(diagnostics.filter((d) => d.rule === 'vague-trait').length, 1);
  });

  it('an unread front matter key is a warning at most when misspelt, a note otherwise, and milder when the rule is', () => {
    const text = '---\nnmae: x\ncolour: red\ntraitHeadingLevel: 9\n---\n## A\n\nThe assistant answers.\n';
    const severities = (severity: 'error' | 'warning' | 'information' | 'hint') =>
      lintDocument(parseTraitDocument(text), { settings: [{ 'front-matter': severity }] })
        .diagnostics.filter((d) => d.rule === 'front-matter')
        .map((d) => `${d.range.start.line}:${d.severity}`);
    assert.deepEqual(severities('error'), ['1:warning', '2:information', '3:error']);
    assert.deepEqual(severities('warning'), ['1:warning', '2:information', '3:warning']);
    assert.deepEqual(severities('hint'), ['1:hint', '2:hint', '3:hint']);
    // An unread key leaves the settings beside it in force.
    const rules = lintDocument(parseTraitDocument('---\nlint:\n  vague-trait: off\ncolour: red\n---\n## A\n\nBe.\n')).diagnostics.map(
      (d) => d.rule,
    );
    assert.ok(rules.includes('front-matter') && !rules.includes('vague-trait'), rules.join(', '));
  });

  it('takes empty front matter (or only a comment) as no settings, not as an invalid mapping', () => {
    for (const frontMatter of ['---\n---\n', '---\n\n---\n', '---\n# nothing yet\n---\n']) {
      const { diagnostics } = lintDocument(parseTraitDocument(`${frontMatter}${SHORT('One')}`));
      assert.deepEqual(
        diagnostics.filter((d) => d.rule === 'front-matter'),
        [],
        frontMatter,
      );
      assert.equal(diagnostics.filter((d) => d.rule === 'vague-trait').length, 1, 'the defaults apply');
    }
  });

  it('reads config text as JSON or YAML and rejects bad values with the file name', () => {
    assert.deepEqual(parseConfigText('{"lint": {"TS101": "hint"}}', 'a.json'), { TS101: 'hint' });
    assert.deepEqual(parseConfigText('lint:\n  missing-rationale: hint\n', 'a.yaml'), { 'missing-rationale': 'hint' });
    assert.deepEqual(parseConfigText('', 'empty.yaml'), {});
    assert.throws(() => parseConfigText('lint: [', 'bad.yaml'), /^ConfigError: bad\.yaml:1:\d+: /);
    assert.throws(() => parseConfigText('rules: {}', 'old.json'), /old\.json: Unknown config key "rules"/);
  });
});

describe('config files', () => {
  const root = mkdtempSync(join(tmpdir(), 'traitsrc-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('the nearest folder wins, and within a folder .json before .yaml before .yml', () => {
    write('.traitsrc.yaml', 'lint:\n  vague-trait: error\n');
    write('a/.traitsrc.yml', 'lint:\n  vague-trait: hint\n');
    mkdirSync(join(root, 'a/b'), { recursive: true });
    assert.equal(findConfigFile(join(root, 'a/b')), join(root, 'a/.traitsrc.yml'));
    write('a/.traitsrc.yaml', 'lint:\n  vague-trait: info\n');
    assert.equal(findConfigFile(join(root, 'a/b')), join(root, 'a/.traitsrc.yaml'));
    write('a/.traitsrc.json', '{"lint":{"vague-trait":"off"}}');
    assert.equal(findConfigFile(join(root, 'a/b')), join(root, 'a/.traitsrc.json'));
    assert.equal(findConfigFile(root), join(root, '.traitsrc.yaml'));
  });

  it('reads each folder once until cleared', () => {
    write('c/.traitsrc.json', '{"lint":{"vague-trait":"off"}}');
    const files = new ConfigFiles();
    assert.deepEqual(files.settingsFor(join(root, 'c')), { 'vague-trait': 'off' });
    write('c/.traitsrc.json', '{"lint":{"vague-trait":"warning"}}');
    assert.deepEqual(files.settingsFor(join(root, 'c')), { 'vague-trait': 'off' }, 'cached');
    files.clear();
    assert.deepEqual(files.settingsFor(join(root, 'c')), { 'vague-trait': 'warning' });
  });

  it('names the file and the reason when it cannot be read, and the place of a syntax error', () => {
    mkdirSync(join(root, 'd/.traitsrc.json'), { recursive: true });
    assert.throws(() => loadConfigFile(join(root, 'd/.traitsrc.json')), {
      name: 'ConfigError',
      message: `${join(root, 'd/.traitsrc.json')}: cannot read config file (EISDIR)`,
    });
    assert.throws(() => loadConfigFile(join(root, 'none.json')), {
      message: `${join(root, 'none.json')}: cannot read config file (ENOENT)`,
    });
    assert.throws(() => parseConfigText('lint:\n  vague-trait: hint\n  vague-trait: off\n', 'dup.yaml'), {
      message: 'dup.yaml:3:3: Map keys must be unique',
    });
    assert.deepEqual(
      parseConfigText('\uFEFFlint:\n  vague-trait: hint\n', 'bom.yaml'),
      { 'vague-trait': 'hint' },
      'a byte order mark is not a syntax error',
    );
    assert.throws(
      () => parseConfigText('lint:\n  vague\uFEFF-trait: hint\n', 'inner.yaml'),
      /Unknown rule "vague\uFEFF-trait"/,
      'only a leading mark is dropped',
    );
    assert.throws(() => parseConfigText('lint:\n  vague-trait: loud\n  TS101: nope\n', 'two.yaml'), {
      message: /^two\.yaml: "lint\.TS101" must be a severity: .* "lint\.vague-trait" must be a severity: /,
    });
  });
});

describe('disable comments', () => {
  it('disable-next-line silences the next line only, for the rules named', () => {
    const text = [
      '<!-- traits-disable-next-line vague-trait -->',
      SHORT('One'),
      '<!-- traits-disable-next-line missing-rationale -->',
      SHORT('Two'),
    ].join('\n');
    assert.deepEqual(vague(text), [6]);
  });

  it('disable and enable bracket a region; no rule named means every rule', () => {
    const text = [
      '<!-- traits-disable -->',
      SHORT('One'),
      '<!-- traits-enable TS203 -->',
      SHORT('Two'),
      '<!-- traits-enable -->',
      SHORT('Three'),
      '<!-- traits-disable vague-trait -->',
      SHORT('Four'),
    ].join('\n');
    const all = lintDocument(parseTraitDocument(text)).diagnostics;
    assert.deepEqual(
      all.filter((d) => d.rule === 'vague-trait').map((d) => d.trait),
      ['Two', 'Three'],
    );
    assert.deepEqual(
      all.filter((d) => d.rule === 'missing-rationale').map((d) => d.trait),
      ['Three', 'Four'],
    );
  });

  it('comments on one line add up: each names its rules, or none for every rule', () => {
    const both = (comments: string) => {
      const all = lintDocument(parseTraitDocument([comments, SHORT('One'), SHORT('Two')].join('\n'))).diagnostics;
      return ['vague-trait', 'missing-rationale'].map((rule) => all.filter((d) => d.rule === rule).map((d) => d.trait));
    };
    const twoOnly = [['Two'], ['Two']];
    assert.deepEqual(both('<!-- traits-disable-next-line -->'), twoOnly);
    assert.deepEqual(both('<!-- traits-disable-next-line TS203 --> <!-- traits-disable-next-line missing-rationale -->'), twoOnly);
    assert.deepEqual(both('<!-- traits-disable-next-line --> <!-- traits-disable-next-line missing-rationale -->'), twoOnly);
    assert.deepEqual(both('<!-- traits-disable-next-line vague-trait --> <!-- traits-disable-next-line -->'), twoOnly);
    assert.deepEqual(
      both('<!-- traits-disable-nextline -->'),
      [
        ['One', 'Two'],
        ['One', 'Two'],
      ],
      'a misspelt comment disables nothing',
    );
  });

  it('a rule enabled by name after "disable all" is on until disabled again; one disabled by name comes back on enable', () => {
    const text = [
      '<!-- traits-disable vague-trait -->',
      SHORT('One'),
      '<!-- traits-enable vague-trait -->',
      SHORT('Two'),
      '<!-- traits-disable -->',
      SHORT('Three'),
      '<!-- traits-enable vague-trait -->',
      SHORT('Four'),
      '<!-- traits-disable TS203 -->',
      SHORT('Five'),
    ].join('\n');
    const all = lintDocument(parseTraitDocument(text)).diagnostics;
    assert.deepEqual(
      all.filter((d) => d.rule === 'vague-trait').map((d) => d.trait),
      ['Two', 'Four'],
    );
    assert.deepEqual(
      all.filter((d) => d.rule === 'missing-rationale').map((d) => d.trait),
      ['One', 'Two'],
    );
  });

  it('disable-file applies wherever it stands', () => {
    assert.deepEqual(vague(`${SHORT('One')}\n<!-- traits-disable-file vague-trait -->\n`), []);
    assert.equal(lintDocument(parseTraitDocument(`${SHORT('One')}\n<!-- traits-disable-file -->\n`)).diagnostics.length, 0);
  });
});

describe('linter', () => {
  it('reports a rule that throws as a finding of that rule, and runs the others', () => {
    const document = parseTraitDocument(SHORT('One'));
    // A document whose traits list cannot be read makes every trait rule throw; the linter must survive it.
    const broken = {
      ...document,
      traits: new Proxy([], {
        get: () => {
          throw new Error('boom');
        },
      }),
    } as never;
    const { diagnostics } = lintDocument(broken);
    assert.ok(diagnostics.length > 0);
    assert.ok(diagnostics.every((d) => /failed on this document \(boom\)/.test(d.message) || d.rule === 'unclosed-fence'));
    assert.ok(diagnostics.some((d) => d.rule === 'missing-rationale'));
  });
});
