// Renders the Codama client (`src/generated/`, committed) from the committed IDL, the way the
// ecosystem's Kit clients are made: `@codama/nodes-from-anchor` reads `idl/bal.json` and
// `@codama/renderers-js` writes the code. Its relative imports get explicit `.js` paths (the
// package is Node ESM, resolved without a bundler). With `--check` it renders into a scratch
// folder and fails when the committed client differs, like the IDL's staleness check.
import { rootNodeFromAnchor } from "@codama/nodes-from-anchor";
import { renderVisitor } from "@codama/renderers-js";
import { createFromRoot } from "codama";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const committed = join(pkg, "src", "generated");
const idl = JSON.parse(readFileSync(join(pkg, "..", "..", "idl", "bal.json"), "utf8"));
const check = process.argv.includes("--check");

function files(folder) {
  return readdirSync(folder, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(folder, f)).isFile())
    .sort();
}

/** `from "../pdas"` as Node ESM needs it: `from "../pdas/index.js"`, a file as `./x.js`. */
function explicitImports(folder) {
  for (const file of files(folder)) {
    const path = join(folder, file);
    const text = readFileSync(path, "utf8").replace(/from "(\.{1,2}(?:\/[^"]*)?)"/g, (_, spec) => {
      const target = resolve(dirname(path), spec);
      const explicit = existsSync(target) && statSync(target).isDirectory() ? `${spec}/index.js` : `${spec}.js`;
      return `from "${explicit}"`;
    });
    writeFileSync(path, text);
  }
}

const scratch = mkdtempSync(join(tmpdir(), "bal-codama-"));
try {
  // The renderer writes `<package>/src/generated`; this package's own package.json pins the
  // dependencies by hand, so the renderer leaves it alone.
  await createFromRoot(rootNodeFromAnchor(idl)).accept(
    renderVisitor(scratch, { syncPackageJson: false, formatCode: true }),
  );
  const rendered = join(scratch, "src", "generated");
  explicitImports(rendered);
  if (check) {
    const want = files(rendered);
    const have = existsSync(committed) ? files(committed) : [];
    const stale = [...new Set([...want, ...have])].filter(
      (f) =>
        !want.includes(f) ||
        !have.includes(f) ||
        readFileSync(join(rendered, f), "utf8") !== readFileSync(join(committed, f), "utf8"),
    );
    if (stale.length > 0) {
      console.error(
        `${relative(process.cwd(), committed)} is stale in ${stale.length} files (${stale.slice(0, 5).join(", ")}): run \`npm run codama\` and commit it`,
      );
      process.exit(1);
    }
    console.log(`${relative(process.cwd(), committed)} is up to date (${want.length} files)`);
  } else {
    rmSync(committed, { recursive: true, force: true });
    cpSync(rendered, committed, { recursive: true });
    console.log(`wrote ${relative(process.cwd(), committed)} (${files(committed).length} files)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
