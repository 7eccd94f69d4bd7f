// The serial WebSocket's client → server control messages (DESIGN §4), one schema each.
import * as v from 'valibot';

export const ResetMessage = v.strictObject({ type: v.literal('reset'), mode: v.picklist(['hard', 'bootloader']) });
export const SignalsMessage = v.strictObject({ type: v.literal('signals'), dtr: v.optional(v.boolean()), rts: v.optional(v.boolean()) });
export const BaudMessage = v.strictObject({ type: v.literal('baud'), rate: v.pipe(v.number(), v.integer(), v.minValue(1)) });
export const BreakMessage = v.strictObject({ type: v.literal('break') });

export const ClientMessage = v.variant('type', [ResetMessage, SignalsMessage, BaudMessage, BreakMessage]);
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
