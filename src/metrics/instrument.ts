/**
 * Timing of every asynchronous method of an object's parts (the store's directory, audit log, limits,
 * schedules...), reported as "part.method": a fixed set of names, whatever the arguments.
 */

export type OperationObserver = (operation: string, ok: boolean, seconds: number) => void;

/** A view of `target` whose methods that return a promise report how long they took and whether they failed. */
export function timedMethods<T extends object>(target: T, part: string, observe: OperationObserver): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      let fn = wrapped.get(key);
      if (!fn) {
        const method = value as (...args: unknown[]) => unknown;
        const operation = `${part}.${key}`;
        fn = function (this: unknown, ...args: unknown[]): unknown {
          const started = performance.now();
          const result = method.apply(obj, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (v: unknown) => {
              observe(operation, true, (performance.now() - started) / 1000);
              return v;
            },
            (err: unknown) => {
              observe(operation, false, (performance.now() - started) / 1000);
              throw err;
            },
          );
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}

/** The store with each named part timed (the part objects only; everything else passes through). */
export function timedParts<S extends object>(store: S, parts: readonly (keyof S & string)[], observe: OperationObserver): S {
  const timed = new Map<string, unknown>();
  for (const name of parts) {
    const part = store[name];
    if (part !== null && typeof part === 'object') timed.set(name, timedMethods(part, name, observe));
  }
  return new Proxy(store, {
    get(obj, key, receiver) {
      if (typeof key === 'string' && timed.has(key)) return timed.get(key);
      const value: unknown = Reflect.get(obj, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
    },
  });
}
