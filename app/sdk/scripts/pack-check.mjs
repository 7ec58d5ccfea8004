// What an integrator gets: packs @bal/sdk as `npm pack` does (the build runs first), installs the
// tarball into a scratch project outside the repository (its dependencies from the registry, no
// workspace link), type-checks a file that uses the package's public API against the installed
// types, and runs it. Fails on a package that installs without its types, the typed IDL or a
// runtime entry point, or whose exports do not resolve.
import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = fileURLToPath(new URL("..", import.meta.url));
const tsc = join(sdk, "node_modules", "typescript", "bin", "tsc");
const scratch = mkdtempSync(join(tmpdir(), "bal-sdk-install-"));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

try {
  run("npm", ["pack", "--silent", "--pack-destination", scratch], sdk);
  const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack produced no tarball");
  const project = join(scratch, "project");
  run("mkdir", ["-p", project], scratch);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module" }, null, 2),
  );
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", join(scratch, tarball)],
    project,
  );
  const installed = join(project, "node_modules", "@bal", "sdk");
  if (lstatSync(installed).isSymbolicLink()) throw new Error("@bal/sdk installed as a link");
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        outDir: "out",
        // As the SDK itself builds: dependencies' own declarations are not re-checked.
        skipLibCheck: true,
        types: [],
      },
      files: ["check.ts"],
    }),
  );
  // The public API as an integrator uses it: the typed IDL, an address, a decoder, a builder's
  // argument type and the read side, each with its declared type.
  writeFileSync(
    join(project, "check.ts"),
    `import { IDL, PROGRAM_ADDRESS, BASE_PRECISION, addBounds, pda, type Bal, type MarginType, type PricedMarket } from "@bal/sdk";
const name: Bal["metadata"]["name"] = IDL.metadata.name;
const kind: MarginType = "maintenance";
const bounds: { min: bigint; max: bigint } = addBounds(100_000_000n, 10_000n);
const priced: PricedMarket[] = [];
const state = await pda.state();
console.log(JSON.stringify({ name, program: PROGRAM_ADDRESS, base: BASE_PRECISION.toString(), kind, min: bounds.min.toString(), markets: priced.length, state: String(state).length > 0 }));
`,
  );
  run("node", [tsc, "-p", project], project);
  const printed = JSON.parse(run("node", [join(project, "out", "check.js")], project));
  if (printed.name !== "bal" || printed.min !== "99000000" || !printed.state) {
    throw new Error(`the installed package computed ${JSON.stringify(printed)}`);
  }
  console.log(`@bal/sdk installs from ${tarball}, type-checks and runs: ${JSON.stringify(printed)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
