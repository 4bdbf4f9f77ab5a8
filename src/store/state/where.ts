/**
 * Builds a WHERE clause from optional filters for either engine: clauses are written with `?` and
 * numbered (`$1`, `$2`...) for Postgres. Values are always bound, never spliced into the SQL.
 */
export class WhereBuilder {
  readonly values: (string | number | Date)[] = [];
  private readonly clauses: string[] = [];

  constructor(private readonly numbered: boolean) {}

  add(clause: string, ...values: (string | number | Date)[]): this {
    const text = this.numbered ? clause.replace(/\?/g, () => `$${this.values.length + 1 + this.pending++}`) : clause;
    this.pending = 0;
    this.clauses.push(text);
    this.values.push(...values);
    return this;
  }

  /** The next placeholder (for LIMIT and other trailing values). */
  next(value: string | number | Date): string {
    this.values.push(value);
    return this.numbered ? `$${this.values.length}` : '?';
  }

  get sql(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }

  private pending = 0;
}
