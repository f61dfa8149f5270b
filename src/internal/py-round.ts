/**
 * Python's `round(x, ndigits)` for floats, bit for bit.
 *
 * Python rounds the exact binary value of `x` to `ndigits` decimal places (ties to even, which only
 * happen when the binary value is exactly halfway, e.g. 0.125 → 0.12) and converts the decimal result
 * back to the nearest double. JavaScript's `toFixed` also rounds the exact value but breaks ties upward
 * (0.125 → "0.13"), so the exact decimal expansion is computed here with BigInt instead.
 */
export function pythonRound(x: number, ndigits = 0): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (!Number.isInteger(ndigits) || ndigits < 0 || ndigits > 300) {
    throw new RangeError(`pythonRound: ndigits must be an integer in [0, 300], got ${ndigits}`);
  }
  const negative = x < 0;
  const { digits, scale } = exactDecimal(Math.abs(x));
  // value = digits / 10^scale exactly.
  let rounded: bigint;
  let outScale: number;
  if (scale <= ndigits) {
    rounded = digits;
    outScale = scale;
  } else {
    const drop = BigInt(scale - ndigits);
    const divisor = 10n ** drop;
    const q = digits / divisor;
    const r = digits % divisor;
    const twice = r * 2n;
    rounded = twice > divisor || (twice === divisor && q % 2n === 1n) ? q + 1n : q;
    outScale = ndigits;
  }
  const text = outScale === 0 ? rounded.toString() : `${rounded}e-${outScale}`;
  const value = Number(text);
  // Python keeps the sign of zero: round(-0.001, 2) == -0.0.
  return negative ? -value : value;
}

/** Exact decimal expansion of a finite positive double: `digits / 10^scale`. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biasedExp = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biasedExp === 0) {
    exp = -1074; // subnormal
  } else {
    mantissa |= 1n << 52n;
    exp = biasedExp - 1075;
  }
  if (exp >= 0) return { digits: mantissa << BigInt(exp), scale: 0 };
  // mantissa * 2^exp = mantissa * 5^-exp / 10^-exp
  return { digits: mantissa * 5n ** BigInt(-exp), scale: -exp };
}
