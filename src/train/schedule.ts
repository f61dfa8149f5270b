/** Learning-rate schedule: linear warmup, then cosine decay to a floor (nanoGPT's `get_lr`). */

/** Schedule parameters. */
export interface LrSchedule {
  /** Peak learning rate. */
  readonly lr: number;
  /** Steps of linear warmup from lr/warmupSteps to lr. */
  readonly warmupSteps: number;
  /** Step at which the cosine reaches the floor (usually the total step count). */
  readonly decaySteps: number;
  /** Floor as a fraction of `lr` (e.g. 0.1). */
  readonly minLrRatio: number;
}

/**
 * Learning rate for the 1-based optimizer step `step`.
 *
 * @param s - the schedule.
 * @param step - 1-based step number.
 */
export function learningRate(s: LrSchedule, step: number): number {
  const minLr = s.lr * s.minLrRatio;
  // 1) linear warmup
  if (step <= s.warmupSteps) return (s.lr * step) / s.warmupSteps;
  // 2) after decaySteps, the floor
  if (step >= s.decaySteps) return minLr;
  // 3) in between, cosine from lr down to the floor
  const ratio = (step - s.warmupSteps) / Math.max(1, s.decaySteps - s.warmupSteps);
  const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
  return minLr + coeff * (s.lr - minLr);
}
