import type { BuildOptions } from "esbuild";

/** The image's bundle settings (bundle-options.mjs). */
export declare const BUNDLE_OPTIONS: BuildOptions & { readonly entryPoints: string[] };
