// Flash jobs and power actions as the API shows them: POST/GET /v1/sessions/{id}/flash, POST …/power.

/** Where a flash is, in esptool's order. */
export type FlashPhase = 'connecting' | 'erasing' | 'writing' | 'verifying' | 'resetting';

export type FlashJobState = 'running' | 'succeeded' | 'failed';

/**
 * Why a flash failed, for scripts: the flasher's own kinds (no_sync, wrong_chip, port_lost, md5_mismatch, aborted,
 * protocol), `command_failed` for a board entry's flash_command, `session_ended` when the session ended under it.
 */
export type FlashFailure = 'no_sync' | 'wrong_chip' | 'port_lost' | 'md5_mismatch' | 'aborted' | 'protocol' | 'command_failed' | 'session_ended';

export interface FlashJobImage {
  name: string;
  offset: number;
  size: number;
  /** e.g. "app: blink 1.2.0 (ESP-IDF v5.2.1)"; "file" for a flash_command board. */
  description: string;
  /** MD5 of the region as the board reported it after writing; null when not verified. */
  md5: string | null;
}

export interface FlashJob {
  id: string;
  session_id: string;
  state: FlashJobState;
  /** `rom`: esptool's protocol from fbay; `command`: the board entry's flash_command. */
  method: 'rom' | 'command';
  phase: FlashPhase;
  written: number;
  total: number;
  kbit_s: number;
  images: FlashJobImage[];
  /** What --force let through, one sentence each. */
  forced: string[];
  verify: boolean;
  erase_all: boolean;
  started_at: string;
  ended_at: string | null;
  /** Seconds from the first reset to the last (the whole job for a flash_command). */
  seconds: number | null;
  /** Times the write carried on after the board's port came back. */
  resumed: number;
  /** A sentence saying what went wrong and what to do; null unless failed. */
  error: string | null;
  failure: FlashFailure | null;
  /** Flash offset the write had reached when it failed. */
  offset: number | null;
  /** The last output the board printed while fbay tried to reach its ROM (a board that never synced). */
  boot_output: string | null;
  /** The flasher's last log lines (esptool's messages, or the command's output), at most 50. */
  log: string[];
  /** Lines logged so far, `log` being the last of them: a follower knows which lines are new. */
  log_count: number;
  /** Transcript offset where the new firmware's output starts: `fbay serial expect --since OFFSET`. */
  boot_offset: number | null;
}

export type PowerAction = 'on' | 'off' | 'cycle';

export interface PowerReply {
  session_id: string;
  action: PowerAction;
  /** `verified`: the USB device was seen to leave and/or come back (virtual boards always are). */
  verified: 'verified' | 'unverified';
  /** Why it is unverified; null when verified. */
  why: string | null;
  /** What the power command printed. */
  output: string[];
  /** The board's power as fbay last switched it. */
  power: 'on' | 'off';
}
