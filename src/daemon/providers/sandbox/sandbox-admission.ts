// What a sandbox create may ask of its plan: a TTL within the plan's maximum, and limits only where the plan allows
// overrides, each within the plan's bounds. Every refusal names the plan, since that is what the caller can change.
import { ApiError } from '../../../transport/protocol/errors.js';
import { DEFAULT_SANDBOX_TTL_S, type SandboxLimitsRequest, type SandboxLimitsView } from '../../../transport/protocol/sandbox-api.js';
import { DEFAULT_LIMITS } from '../../sandboxes/index.js';
import type { SandboxPlan } from '../../sessions/tiers.js';

const MIN = { memory_mb: 64, cpu: 0.01, disk_mb: 32, exec_timeout_s: 1 } as const;
const WHOLE = new Set(['memory_mb', 'disk_mb', 'exec_timeout_s']);
const UPGRADE = 'A paid tier (top_up, team or pro) gives the paid plan: `fbay keys create --tier pro`, or `fbay config set tiers.NAME.sandbox_plan paid`.';

/** The TTL asked for (any JSON value: a string is refused here too, with the plan's range), or the default. */
export function checkTtl(ttl: unknown, plan: SandboxPlan): number {
  if (ttl === undefined) return Math.min(DEFAULT_SANDBOX_TTL_S, plan.max_ttl_s);
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > plan.max_ttl_s) {
    throw new ApiError(
      'invalid_request',
      `ttl must be a whole number of seconds from 1 to ${plan.max_ttl_s} (the most the ${plan.name} plan allows); got ${JSON.stringify(ttl)}.`,
      { plan: plan.name, max_ttl_s: plan.max_ttl_s, ...(typeof ttl === 'number' && ttl > plan.max_ttl_s ? { next: UPGRADE } : {}) },
    );
  }
  return ttl;
}

export function checkLimits(asked: SandboxLimitsRequest | undefined, plan: SandboxPlan): SandboxLimitsView {
  const given = Object.entries(asked ?? {}).filter(([, v]) => v !== undefined) as [keyof typeof MIN, number][];
  if (given.length > 0 && !plan.overrides) {
    throw new ApiError(
      'forbidden',
      `The ${plan.name} plan does not allow limits to be set (asked: ${given.map(([k]) => k).join(', ')}); its sandboxes get ${plan.memory_mb} MB of memory, ${plan.cpu} CPU, ${plan.disk_mb} MB of disk and a ${plan.exec_timeout_s} s exec timeout.`,
      { plan: plan.name, next: `Leave limits out. ${UPGRADE}` },
    );
  }
  const max = { memory_mb: plan.max_memory_mb, cpu: plan.max_cpu, disk_mb: plan.max_disk_mb, exec_timeout_s: plan.max_exec_timeout_s };
  const out = { memory_mb: plan.memory_mb, cpu: plan.cpu, disk_mb: plan.disk_mb, exec_timeout_s: plan.exec_timeout_s };
  for (const [name, value] of given) {
    const whole = WHOLE.has(name);
    if ((whole && !Number.isInteger(value)) || !(value >= MIN[name]) || value > max[name]) {
      throw new ApiError(
        'invalid_request',
        `limits.${name} must be ${whole ? 'a whole number' : 'a number'} from ${MIN[name]} to ${max[name]} (the most the ${plan.name} plan allows); got ${JSON.stringify(value)}.`,
        { plan: plan.name, max: max[name] },
      );
    }
    out[name] = value;
  }
  return {
    ...out,
    max_exec_timeout_s: plan.max_exec_timeout_s,
    max_file_bytes: plan.max_file_mb * 1000 * 1000,
    pids: DEFAULT_LIMITS.pids,
    enforced: null,
  };
}

/** An exec's timeout: the sandbox's default, or one asked for up to its plan's maximum. */
export function checkExecTimeout(timeout: number | undefined, limits: SandboxLimitsView, planName: string): number {
  if (timeout === undefined) return limits.exec_timeout_s;
  if (!(timeout > 0) || timeout > limits.max_exec_timeout_s) {
    const fixed = limits.max_exec_timeout_s === limits.exec_timeout_s;
    throw new ApiError(
      'invalid_request',
      `timeout_s must be a number of seconds above 0 and at most ${limits.max_exec_timeout_s}${fixed ? ` (the ${planName} plan's exec timeout is fixed at ${limits.exec_timeout_s} s)` : ` (the most the ${planName} plan allows)`}; got ${JSON.stringify(timeout)}.`,
      { plan: planName, max_exec_timeout_s: limits.max_exec_timeout_s, ...(fixed ? { next: UPGRADE } : {}) },
    );
  }
  return timeout;
}
