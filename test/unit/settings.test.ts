// The model-calling settings are written once (server/src/llm/settings.ts): package.json must
// agree with that table, every default model must be in the model catalogue, and the CLI and the
// editor must name the same Gemini endpoint the same way (one provider id, one cache).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_ROLE_MODELS, modelInfo } from '../../server/src/llm/catalogue';
import { geminiFromEnvironment, geminiFromSettings, geminiProviderId, ModelAccessError } from '../../server/src/llm/modelAccess';
import { readSettings, SETTINGS, type SettingKey } from '../../server/src/llm/settings';

interface Contributed {
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  markdownDescription?: string;
}
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contributed> } };
};
const contributed = pkg.contributes.configuration.properties;

describe('settings', () => {
  it('package.json declares every setting of the table with its default and range', () => {
    for (const [key, setting] of Object.entries(SETTINGS)) {
      const declared = contributed[`traitStudio.${key}`];
      assert.ok(declared, `package.json has no traitStudio.${key}`);
      assert.deepEqual(declared.default, setting.default, `traitStudio.${key} default`);
      if ('min' in setting) assert.equal(declared.minimum ?? declared.exclusiveMinimum, setting.min, `traitStudio.${key} minimum`);
      if ('max' in setting) assert.equal(declared.maximum, setting.max, `traitStudio.${key} maximum`);
    }
  });

  it('model settings default to catalogue models and their descriptions name the default and the catalogue', () => {
    for (const role of Object.values(DEFAULT_ROLE_MODELS)) assert.ok(modelInfo(role), `${role} is not in the model catalogue`);
    const modelKeys = Object.keys(SETTINGS).filter((k) => k.startsWith('models.') || k === 'audit.model') as SettingKey[];
    assert.equal(modelKeys.length, 11);
    for (const key of modelKeys) {
      const description = contributed[`traitStudio.${key}`].markdownDescription ?? '';
      assert.ok(description.includes(`Default \`${SETTINGS[key].default}\``), `traitStudio.${key} does not name its default`);
    }
    for (const [key, declared] of Object.entries(contributed)) {
      assert.ok(!/providers\/models\.ts/.test(declared.markdownDescription ?? ''), `${key} names the old catalogue path`);
    }
  });

  it('read: defaults for what is unset or of the wrong type, blank models are the default, numbers held in range', () => {
    const values: Partial<Record<SettingKey, unknown>> = {
      'models.critique': '  ',
      'audit.model': ' my-model ',
      'preview.scenarios': 42.4,
      'generate.concurrency': 0,
      'generate.perTrait': 'seven',
      'generate.formats': ['gemini', 'csv'],
    };
    const s = readSettings((key) => values[key]);
    assert.equal(s['models.critique'], DEFAULT_ROLE_MODELS.critique);
    assert.equal(s['models.brainstorm'], DEFAULT_ROLE_MODELS.brainstorm);
    assert.equal(s['audit.model'], 'my-model');
    assert.equal(s['preview.scenarios'], 10);
    assert.equal(s['generate.concurrency'], 1);
    assert.equal(s['generate.perTrait'], 5);
    assert.deepEqual(s['generate.formats'], ['gemini']);
    assert.equal(s['generate.dedupThreshold'], 0.9);
    assert.equal(s['baseline.openaiBaseUrl'], '');
  });
});

describe('model access: one provider id for the CLI and the editor', () => {
  it('Vertex AI', () => {
    const cli = geminiFromEnvironment(
      { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p1', GOOGLE_CLOUD_LOCATION: 'us-central1' },
      'test',
    );
    const editor = geminiFromSettings({ project: ' p1 ', location: 'us-central1' }, 'a key that Vertex does not use', {});
    assert.equal(geminiProviderId(cli), 'vertex-ai@p1/us-central1');
    assert.equal(geminiProviderId(editor!), geminiProviderId(cli));
  });

  it('Vertex AI behind another endpoint, named without its credentials', () => {
    const env = { GOOGLE_GEMINI_BASE_URL: 'https://user:secret@proxy.example/v1' };
    const cli = geminiFromEnvironment(
      { ...env, GOOGLE_GENAI_USE_VERTEXAI: '1', GOOGLE_CLOUD_PROJECT: 'p1', GOOGLE_CLOUD_LOCATION: 'eu' },
      'test',
    );
    const editor = geminiFromSettings({ project: 'p1', location: 'eu' }, undefined, env);
    assert.equal(geminiProviderId(editor!), geminiProviderId(cli));
    assert.match(geminiProviderId(cli), /^vertex-ai@p1\/eu@https:\/\/proxy\.example/);
    assert.doesNotMatch(geminiProviderId(cli), /secret/);
  });

  it('the Developer API, with and without another endpoint', () => {
    for (const env of [{}, { GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9/' }]) {
      const cli = geminiFromEnvironment({ ...env, GEMINI_API_KEY: 'k' }, 'test');
      const editor = geminiFromSettings({ project: '', location: '' }, 'k', env);
      assert.equal(geminiProviderId(editor!), geminiProviderId(cli));
    }
    assert.equal(geminiProviderId({ apiKey: 'k' }), 'gemini');
  });

  it('says what is missing', () => {
    assert.throws(
      () => geminiFromEnvironment({}, 'preview scenarios'),
      (e: unknown) => e instanceof ModelAccessError && /GEMINI_API_KEY.*preview scenarios/.test(e.message),
    );
    assert.throws(() => geminiFromEnvironment({ GOOGLE_GENAI_USE_VERTEXAI: 'true' }, 'x'), /GOOGLE_CLOUD_PROJECT/);
    assert.equal(geminiFromSettings({ project: 'p', location: '' }, undefined, {}), undefined);
  });
});
