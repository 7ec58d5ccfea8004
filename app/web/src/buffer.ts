/** Injected into the bundle wherever a module uses Node's global `Buffer`. */
export { Buffer } from "buffer";
