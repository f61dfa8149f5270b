import { TunixError } from "../errors.js";

/** One point of a training-metrics JSONL line: `{step, loss, ...}`. */
export interface MetricsPoint {
  /** Optimizer step. */
  step: number;
  /** Other numeric fields (`loss`, `eval_loss`, `lr`, ...). */
  [field: string]: number;
}

/**
 * Reads training metrics JSONL (`{"step": 10, "loss": 2.3, ...}` per line). Non-numeric fields are
 * dropped; lines without a numeric `step` are errors.
 *
 * @param text - the JSONL text.
 * @throws TunixError `JSONL_INVALID` naming the line.
 */
export function parseMetricsJsonl(text: string): MetricsPoint[] {
  const out: MetricsPoint[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new TunixError("JSONL_INVALID", `metrics line ${index + 1}: invalid JSON: ${(e as Error).message}`);
    }
    if (typeof value !== "object" || value === null || typeof (value as { step?: unknown }).step !== "number") {
      throw new TunixError("JSONL_INVALID", `metrics line ${index + 1}: expected an object with a numeric "step"`);
    }
    const point: MetricsPoint = { step: (value as { step: number }).step };
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === "number" && Number.isFinite(v)) point[k] = v;
    }
    out.push(point);
  });
  return out;
}

/** Options for {@link lineChartSvg}. */
export interface LineChartOptions {
  /** Chart title. */
  title?: string;
  /** Fields of each point to draw (default `["loss"]`, plus `eval_loss` when present). */
  series?: readonly string[];
  /** Width in px (default 640). */
  width?: number;
  /** Height in px (default 320). */
  height?: number;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(4))));

/**
 * A loss curve (or any per-step series) as a standalone SVG string: axes, min/max ticks, one polyline per
 * series, a legend. Pure string output; no browser or canvas.
 *
 * @param points - metrics points (e.g. from {@link parseMetricsJsonl}).
 * @param options - title, series, size.
 */
export function lineChartSvg(points: readonly MetricsPoint[], options: LineChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 320;
  const series = options.series ?? ["loss", ...(points.some((p) => "eval_loss" in p) ? ["eval_loss"] : [])];
  const m = { left: 60, right: 20, top: 30, bottom: 40 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const drawn = series.map((name) => ({ name, pts: points.filter((p) => typeof p[name] === "number").map((p) => [p.step, p[name]!] as const) }));
  const all = drawn.flatMap((s) => s.pts);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (options.title) parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${esc(options.title)}</text>`);
  if (all.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text>`, "</svg>");
    return parts.join("\n");
  }
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of all) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const sx = (x: number) => (m.left + ((x - x0) / (x1 - x0)) * pw).toFixed(1);
  const sy = (y: number) => (m.top + ph - ((y - y0) / (y1 - y0)) * ph).toFixed(1);
  parts.push(
    `<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="#333"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="#333"/>`,
    `<text x="${m.left - 4}" y="${m.top + 4}" text-anchor="end">${fmt(y1)}</text>`,
    `<text x="${m.left - 4}" y="${m.top + ph}" text-anchor="end">${fmt(y0)}</text>`,
    `<text x="${m.left}" y="${m.top + ph + 14}" text-anchor="middle">${fmt(x0)}</text>`,
    `<text x="${m.left + pw}" y="${m.top + ph + 14}" text-anchor="middle">${fmt(x1)}</text>`,
    `<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">step</text>`,
  );
  drawn.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    if (s.pts.length > 0) {
      const d = s.pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(" ");
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${d}"/>`);
    }
    parts.push(
      `<rect x="${m.left + pw - 110}" y="${m.top + 4 + i * 14}" width="10" height="10" fill="${color}"/>`,
      `<text x="${m.left + pw - 96}" y="${m.top + 13 + i * 14}">${esc(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Options for {@link barChartSvg}. */
export interface BarChartOptions {
  /** Chart title. */
  title?: string;
  /** Axis maximum (default 1, for scores in [0, 1]). */
  max?: number;
  /** Width in px (default 640). */
  width?: number;
}

/**
 * Horizontal bars (e.g. per-category means) as a standalone SVG string. Bars are drawn in the given
 * order; each is labelled with its value.
 *
 * @param bars - `[label, value]` pairs.
 * @param options - title, axis maximum, width.
 */
export function barChartSvg(bars: readonly (readonly [string, number])[], options: BarChartOptions = {}): string {
  const width = options.width ?? 640;
  const max = options.max ?? 1;
  const rowH = 22;
  const top = options.title ? 30 : 10;
  const labelW = 160;
  const plotW = width - labelW - 70;
  const height = top + bars.length * rowH + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (options.title) parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${esc(options.title)}</text>`);
  bars.forEach(([label, value], i) => {
    const y = top + i * rowH;
    const w = Math.max(0, Math.min(1, value / max)) * plotW;
    parts.push(
      `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(label)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${COLORS[0]}"/>`,
      `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 14}">${fmt(value)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
