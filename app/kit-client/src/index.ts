/** The Codama-generated client (`src/generated/`, rendered from `idl/bal.json` by
 * `npm run codama`, never edited by hand). */
export * from "./generated/index.js";
