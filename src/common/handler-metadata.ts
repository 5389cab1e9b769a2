import type { ExecutionContext, Type } from '@nestjs/common';

type Handler = (...args: never[]) => unknown;

/**
 * Reads a route's decorator metadata once per handler and remembers it: decorators are fixed
 * when the classes load, so reading them again on every request (Reflector walks the
 * metadata of the handler and its class) only costs time.
 */
export function perHandler<T>(
  read: (handler: Handler, controller: Type<unknown>) => T,
): (context: ExecutionContext) => T {
  // By controller too: a method inherited by two controllers is one function with two classes.
  const cache = new WeakMap<Type<unknown>, Map<Handler, T>>();
  return (context) => {
    const controller = context.getClass();
    const handler = context.getHandler() as Handler;
    let handlers = cache.get(controller);
    if (!handlers) cache.set(controller, (handlers = new Map<Handler, T>()));
    if (handlers.has(handler)) return handlers.get(handler) as T;
    const value = read(handler, controller);
    handlers.set(handler, value);
    return value;
  };
}
