import { round } from './stats.js';

export interface Baseline {
  readonly label: string;
  readonly value: number;
}

/** One line of the printed table and of `bench/results.json`. */
export interface ResultRow {
  readonly case: string;
  readonly value: number;
  readonly unit: string;
  /** Measured (or, for call counts, specified) in the same run; the ratio is against the first. */
  readonly baselines: readonly Baseline[];
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
}

export interface MeasurementResult {
  readonly name: string;
  readonly rows: readonly ResultRow[];
  /** Raw samples and settings, for whoever wants to check the summary. */
  readonly details: Record<string, unknown>;
  readonly notes: readonly string[];
}

export function ratioOf(value: number, baseline: number): number {
  return baseline === 0 ? Number.NaN : round(value / baseline, 3);
}

export function formatTable(results: readonly MeasurementResult[]): string {
  const header = ['measurement', 'case', 'ours', 'baseline(s)', 'ratio', 'target', 'met'];
  const lines: string[][] = [header];
  for (const result of results) {
    for (const row of result.rows) {
      lines.push([
        result.name,
        row.case,
        `${formatNumber(row.value)} ${row.unit}`,
        row.baselines.map((b) => `${b.label} ${formatNumber(b.value)}`).join(' · ') || '—',
        row.ratio === undefined || Number.isNaN(row.ratio) ? '—' : `${row.ratio}×`,
        row.target ?? '—',
        row.met === undefined ? '' : row.met ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] as string).length)));
  const render = (l: string[]) => l.map((cell, i) => cell.padEnd(widths[i] as number)).join(' │ ');
  return [render(header), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...lines.slice(1).map(render)].join(
    '\n',
  );
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (Number.isInteger(value)) return String(value);
  return String(round(value, value < 10 ? 3 : 1));
}
