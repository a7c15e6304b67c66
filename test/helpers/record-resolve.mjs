// Module hooks (node:module register) for tests: posts every resolved specifier to the test's port,
// so a test can tell which packages a code path loads.
let port;

export function initialize(data) {
  port = data.port;
}

export async function resolve(specifier, context, nextResolve) {
  port?.postMessage(specifier);
  return nextResolve(specifier, context);
}
