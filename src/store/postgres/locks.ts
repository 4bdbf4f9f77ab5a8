/**
 * Advisory lock keys (the two-integer form, so they never collide with another application's
 * single-bigint locks in a shared database). The first integer names rescue-ring's lock space.
 */
export const LOCK_SPACE = 0x52_52_4e_47; // "RRNG"
/** Another space for rate buckets, locked by hashtext(bucket). */
export const RATE_LOCK_SPACE = LOCK_SPACE + 1;
/** Another space for phone registrations written with a guard (compare-and-set), locked by hashtext(team user). */
export const ROW_LOCK_SPACE = LOCK_SPACE + 2;

export const LOCK = {
  migrations: 1,
  auditPrune: 2,
  ratePrune: 3,
} as const;
