export * from "./constants.js";
export * from "./lp.js";
