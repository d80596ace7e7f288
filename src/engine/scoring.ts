/**
 * Dynamic points: a puzzle worth less the more teams solve it, computed the
 * way CTFd's dynamic challenges compute it, so that an imported event scores
 * the same. Every solver holds the puzzle's current value, not the value it
 * had when that team solved.
 */

/** How a dynamic puzzle's value falls with its solves. */
export type DecayFunction = "linear" | "logarithmic";

/** A puzzle's `points = { initial, minimum, decay, function }`. */
export interface DynamicPoints {
  initial: number;
  minimum: number;
  decay: number;
  function: DecayFunction;
}

/**
 * The value every solver of the puzzle holds once `solves` teams have solved
 * it. The first solve leaves the value at `initial`: the count the functions
 * see is one less than the solves (and 0 with none). Linear takes `decay`
 * points per further solve; logarithmic follows a parabola that reaches
 * `minimum` after `decay` further solves. Both round up, and never go below
 * `minimum`.
 */
export function dynamicValue(points: DynamicPoints, solves: number): number {
  const n = solves > 0 ? solves - 1 : 0;
  let value: number;
  if (points.function === "linear") {
    value = points.initial - points.decay * n;
  } else {
    // A decay of 0 would divide by zero; CTFd treats it as 1.
    const decay = points.decay === 0 ? 1 : points.decay;
    value = ((points.minimum - points.initial) / (decay * decay)) * (n * n) + points.initial;
  }
  value = Math.ceil(value);
  return value < points.minimum ? points.minimum : value;
}
