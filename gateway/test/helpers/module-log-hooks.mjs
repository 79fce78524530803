/**
 * Module hooks (node:module register) that report the URL of every module resolved, through the
 * port handed over at registration. Used by loaded-packages.ts.
 */
let port;

export function initialize(data) {
  port = data.port;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  port?.postMessage(resolved.url);
  return resolved;
}
