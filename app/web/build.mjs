// Bundles the page into dist/: index.html, app.js and app.css.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

// @bal/sdk is written for Node, where @anchor-lang/core is CommonJS and its default import is
// the module itself; the package's browser build is ESM without a default export, so the SDK's
// `import anchor from "@anchor-lang/core"` is given the module namespace as its default here.
const anchorDefault = {
  name: "anchor-default-export",
  setup(plugin) {
    plugin.onResolve({ filter: /^@anchor-lang\/core$/ }, (args) =>
      args.namespace === "anchor-default"
        ? undefined
        : { path: args.resolveDir, namespace: "anchor-default" },
    );
    plugin.onLoad({ filter: /.*/, namespace: "anchor-default" }, (args) => ({
      contents:
        'import * as anchor from "@anchor-lang/core"; export * from "@anchor-lang/core"; export default anchor;',
      resolveDir: args.path,
    }));
  },
};

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/app.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  // The SDK and the page share one copy of @solana/kit (the SDK's own install has another).
  alias: { "@solana/kit": "./node_modules/@solana/kit" },
  // Node's Buffer, which the SDK's decoders and @anchor-lang/core use, from the `buffer` package.
  inject: ["src/buffer.ts"],
  define: { "process.env.NODE_ENV": '"production"' },
  plugins: [anchorDefault],
  logLevel: "warning",
});
copyFileSync("src/index.html", "dist/index.html");
copyFileSync("src/style.css", "dist/app.css");
