// `trait-studio models` prints the model catalogue, the one place model facts live.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runModels } from '../../server/src/cli/models';
import { UsageError } from '../../server/src/cli/io';
import { DEFAULT_ROLE_MODELS, MODEL_CATALOGUE } from '../../server/src/llm/catalogue';

function capture(argv: string[], today = new Date('2026-11-30T12:00:00Z')): { status: number; stdout: string } {
  let stdout = '';
  const status = runModels(argv, { stdout: (t) => void (stdout += t), stderr: () => undefined, isTTY: false }, today);
  return { status, stdout };
}

describe('trait-studio models', () => {
  it('lists every catalogue model with its price of the day, its source, its thinking control and the roles it is the default of', () => {
    const { status, stdout } = capture([]);
    assert.equal(status, 0);
    for (const m of MODEL_CATALOGUE) assert.match(stdout, new RegExp(`^${m.id.replace(/\./g, '\\.')}  \\(`, 'm'));
    assert.match(
      stdout,
      /^gemini-3\.8-flash {2}\(stable\) {2}default for: brainstorm, baseline, audit, review, probeRealism, probeGrader$/m,
    );
    assert.match(stdout, /price: \$0\.75 \/ \$3\.75 per 1M tokens until 2026-12-31; Google Gemini API pricing page/);
    assert.match(stdout, /\$4 \/ \$18 above 200,000 prompt tokens/);
    assert.match(stdout, /gemini-2\.5-pro {2}\(retiring 2026-12-01\)/);
    assert.match(stdout, /thinking: thinkingBudget in tokens \(minimal 512, low 1024, medium 8192, high -1\)/);
    assert.match(stdout, /thinking: thinkingLevel \(low, high\)/);
  });

  it('prices by the day asked for, and as JSON', () => {
    const later = JSON.parse(capture(['--format', 'json'], new Date('2027-02-01T00:00:00Z')).stdout) as {
      id: string;
      roles: string[];
      priceToday: { inputPerMillion: number } | null;
    }[];
    assert.equal(later.find((m) => m.id === 'gemini-3.8-flash')?.priceToday?.inputPerMillion, 1.5);
    assert.deepEqual(later.find((m) => m.id === DEFAULT_ROLE_MODELS.embedding)?.roles, ['embedding']);
  });

  it('refuses arguments it does not take', () => {
    assert.throws(() => capture(['extra']), UsageError);
    assert.throws(() => capture(['--format', 'xml']), UsageError);
    assert.match(capture(['--help']).stdout, /^Usage: trait-studio models/);
  });
});
