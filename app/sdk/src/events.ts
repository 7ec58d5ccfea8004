/**
 * The program's records (fills, funding, settlements, liquidity, de-risks, liquidations,
 * orders). They are emitted with `emit_cpi!`: each is the data of an inner instruction the
 * program sends to itself, so truncated logs cannot hide them. Feed `decodeEvent` the inner
 * instructions' data (from `getTransaction`'s `innerInstructions`, or litesvm's metadata).
 */
import { coder, fromCoder, type Defined } from "./codec.js";
import type { Bal } from "./idl.js";

export type EventName = Bal["events"][number]["name"];

/** A decoded record: its name and fields. */
export type BalEvent = { [N in EventName]: { name: N; data: Defined<N> } }[EventName];

/** Anchor's tag in front of every `emit_cpi!` record: sha256("anchor:event")[..8], LE. */
const EVENT_IX_TAG = Uint8Array.of(0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d);

/** The record an inner instruction carries, or `null` when its data is not one of ours. */
export function decodeEvent(data: Uint8Array): BalEvent | null {
  if (data.length < EVENT_IX_TAG.length || EVENT_IX_TAG.some((byte, i) => data[i] !== byte)) {
    return null;
  }
  const body = Buffer.from(data.subarray(EVENT_IX_TAG.length)).toString("base64");
  const decoded = coder.events.decode(body);
  if (!decoded) {
    return null;
  }
  return {
    name: decoded.name,
    data: fromCoder(decoded.data, { defined: { name: decoded.name } }),
  } as BalEvent;
}

/** Every record among `instructionData`, in order. */
export const decodeEvents = (instructionData: Iterable<Uint8Array>): BalEvent[] =>
  [...instructionData].map(decodeEvent).filter((event): event is BalEvent => event !== null);
