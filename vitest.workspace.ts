/**
 * The single list of test projects. Each folder has its own vitest.config.ts.
 * Vitest 4 no longer reads this file by itself: the root vitest.config.ts imports it.
 */
export default ["shared", "gateway", "worker", "provisioner", "dev"];
