/**
 * The money rules restated for tests, from README ("Payments") and the rules as payments.money.ts
 * documents them, not from the code that implements them: the property tests check the product
 * against these as well as against its own functions, so a rule changed in the product (a rounding,
 * an order of units, a mode) shows up as a disagreement instead of moving both sides at once.
 * Written another way on purpose: unit by unit and cent by cent where the product uses cumulative
 * formulas and sorts.
 */

export type Mode = 'upfront' | 'deposit' | 'on_ship';

/**
 * A line's amount spread over its units, unit by unit: each unit gets the whole cents its exact
 * share has reached (amount / units per unit, carried over), so the first k units together cost
 * the whole cents of k · amount / units and every unit's price adds up to the amount.
 */
export function pricePerUnit(amount: number, units: number): number[] {
  const prices: number[] = [];
  const whole = BigInt(units);
  let carried = 0n; // owed but not yet paid, in 1/units of a cent
  for (let unit = 0; unit < units; unit++) {
    carried += BigInt(amount);
    const cents = carried / whole;
    carried -= cents * whole;
    prices.push(Number(cents));
  }
  return prices;
}

/**
 * `total` shared in proportion to `weights`: every part first gets the whole cents of its exact
 * share; the cents left over go one at a time to the part with the largest fraction still unpaid
 * (the earliest part on a tie), each part at most once.
 */
export function shareByWeights(total: number, weights: readonly (number | bigint)[]): number[] {
  const sum = weights.reduce<bigint>((s, w) => s + BigInt(w), 0n);
  if (sum === 0n) return weights.map(() => 0);
  const exact = weights.map((w) => BigInt(total) * BigInt(w)); // each share · sum
  const parts = exact.map((e) => e / sum);
  const fractions = exact.map((e) => e % sum);
  const given = weights.map(() => false);
  let left = BigInt(total) - parts.reduce((s, p) => s + p, 0n);
  while (left > 0n) {
    let pick = -1;
    for (let i = 0; i < weights.length; i++) {
      if (!given[i] && (pick < 0 || fractions[i]! > fractions[pick]!)) pick = i;
    }
    parts[pick]! += 1n;
    given[pick] = true;
    left -= 1n;
  }
  return parts.map(Number);
}

export interface OrderLineIn {
  quantity: number;
  unitPrice: number;
  mode: Mode;
  /** 0–100 with two decimals at most. */
  depositPercent: number;
}

export interface LineMoneyOut {
  amount: number;
  discount: number;
  deposit: number;
}

/**
 * What each line of a new order costs and what its deposit is: the discount is shared by the lines'
 * totals; the deposit is the percentage of each deposit line's discounted amount, added up exactly
 * over the order and rounded down once, then shared by those exact amounts. Null when the discount
 * is more than the order (refused).
 */
export function orderMoney(lines: readonly OrderLineIn[], discount: number): LineMoneyOut[] | null {
  const totals = lines.map((l) => l.quantity * l.unitPrice);
  if (discount > totals.reduce((s, t) => s + t, 0)) return null;
  const discounts = shareByWeights(discount, totals);
  const amounts = totals.map((t, i) => t - discounts[i]!);
  // Percentages in hundredths of a percent, so the exact deposit is amount · points / 10 000
  // (in BigInt: the sum can pass what a float divides exactly).
  const points = lines.map((l) => (l.mode === 'deposit' ? BigInt(Math.round(l.depositPercent * 100)) : 0n));
  const exactDeposits = amounts.map((a, i) => BigInt(a) * points[i]!);
  const orderDeposit = Number(exactDeposits.reduce((s, d) => s + d, 0n) / 10_000n);
  const deposits = shareByWeights(orderDeposit, exactDeposits);
  return lines.map((_, i) => ({ amount: amounts[i]!, discount: discounts[i]!, deposit: deposits[i]! }));
}

/**
 * The same for a provider with a minimum charge (Stripe's, per currency), as README ("Payments")
 * states it: an order with a line that costs more than nothing but less than the minimum is refused
 * (`below_minimum`); a deposit below the minimum is not taken (0, paid when the units are ready);
 * a deposit that would leave a balance below the minimum is the whole line.
 */
export function orderMoneyAtMinimum(
  lines: readonly OrderLineIn[],
  discount: number,
  minimum: number,
): LineMoneyOut[] | 'below_minimum' | null {
  const money = orderMoney(lines, discount);
  if (money === null) return null;
  if (money.some((line) => line.amount > 0 && line.amount < minimum)) return 'below_minimum';
  return money.map((line) => {
    if (line.deposit > 0 && line.deposit < minimum) return { ...line, deposit: 0 };
    const balance = line.amount - line.deposit;
    if (line.deposit > 0 && balance > 0 && balance < minimum) return { ...line, deposit: line.amount };
    return line;
  });
}

export interface LineUnits {
  mode: Mode;
  quantity: number;
  shipped: number;
  allocated: number;
  backordered: number;
  cancelled: number;
  amount: number;
  deposit: number;
}

type UnitState = 'shipped' | 'allocated' | 'waiting' | 'cancelled';

/** The line's units in the order the rules count them: shipped, allocated, waiting, cancelled last. */
function unitStates(line: LineUnits): UnitState[] {
  return [
    ...Array<UnitState>(line.shipped).fill('shipped'),
    ...Array<UnitState>(line.allocated).fill('allocated'),
    ...Array<UnitState>(line.backordered).fill('waiting'),
    ...Array<UnitState>(line.cancelled).fill('cancelled'),
  ];
}

/**
 * The money Backfill should hold for the line now, unit by unit: a cancelled unit nothing; a ready
 * unit (shipped, or allocated in an order that may ship in parts or is complete) its price; any
 * other unit its price on an upfront line, its deposit share on a deposit line, nothing when paid
 * on shipment.
 */
export function heldFor(line: LineUnits, orderComplete: boolean): number {
  const states = unitStates(line);
  if (states.length !== line.quantity) throw new Error(`units do not add up: ${JSON.stringify(line)}`);
  const prices = pricePerUnit(line.amount, line.quantity);
  const deposits = pricePerUnit(line.deposit, line.quantity);
  let held = 0;
  states.forEach((state, unit) => {
    if (state === 'cancelled') return;
    const ready = state === 'shipped' || (state === 'allocated' && orderComplete);
    if (ready || line.mode === 'upfront') held += prices[unit]!;
    else if (line.mode === 'deposit') held += deposits[unit]!;
  });
  return held;
}

/** The price of the line's shipped units, which must be paid before they leave. */
export const priceOfShipped = (line: LineUnits): number =>
  pricePerUnit(line.amount, line.quantity)
    .slice(0, line.shipped)
    .reduce((s, p) => s + p, 0);

/**
 * Whether an order's allocated units count as ready: always, unless the order ships complete; then
 * only once none of its lines waits for units.
 */
export const orderIsReady = (shipComplete: boolean, lines: readonly { backordered: number }[]): boolean =>
  !shipComplete || lines.every((l) => l.backordered === 0);
