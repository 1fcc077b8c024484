// Which instance's outbound guard a request goes through. Fedify calls the global `fetch`, and the
// global dispatcher is process-wide, but one process can run several instances (the tests do), each
// with its own peer policy. So the process-wide dispatcher is a router: it hands each request to the
// guard of the instance whose outbound context is active (AsyncLocalStorage), entered by every way into
// federation (the Fastify adapter, the queue workers, `kith.runOutbound`, our document loaders).
// With no context active it uses a plain Agent: that is test code's own fetches, and any caller
// outside federation; federation code must never fetch there (docs/adr/0005-outbound-guard.md).
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';

const active = new AsyncLocalStorage<Dispatcher>();
let plain: Agent | null = null;

/** The process-wide dispatcher: the active instance's guard, else a plain Agent. */
class OutboundRouter extends Dispatcher {
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const dispatcher = active.getStore() ?? (plain ??= new Agent());
    return dispatcher.dispatch(options, handler);
  }

  // The router owns nothing that outlives a request: each instance closes its own guard.
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (callback) callback();
    else return Promise.resolve();
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    if (done) done();
    else return Promise.resolve();
  }
}

/** Makes the router the global dispatcher (Node's `fetch` honours it); once per process. */
export function installOutboundRouter(): void {
  if (getGlobalDispatcher() instanceof OutboundRouter) return;
  setGlobalDispatcher(new OutboundRouter());
}

/** Runs `fn` (and everything it starts: promises, timers, workers) with `dispatcher` as its outbound guard. */
export function runOutbound<T>(dispatcher: Dispatcher, fn: () => T): T {
  return active.run(dispatcher, fn);
}

/** The guard active here, or null (outside every instance's outbound context). */
export function activeOutbound(): Dispatcher | null {
  return active.getStore() ?? null;
}
