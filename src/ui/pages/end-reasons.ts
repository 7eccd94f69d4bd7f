// Why a session ended, in words.
const TEXT: Record<string, string> = {
  user_ended: 'it was ended.',
  idle_timeout: 'no console was attached for its idle timeout.',
  credits_exhausted: 'the credits ran out.',
  max_duration: 'it reached its time cap.',
  board_lost: 'the board was unplugged and did not come back in time.',
  allocation_failed: 'the board could not be opened.',
  host_shutdown: 'the daemon was stopped.',
  upstream_lost: 'the remote host it ran on went away.',
  host_lost: 'its board host stopped answering.',
};

export function endReasonText(reason: string | null): string {
  return reason ? (TEXT[reason] ?? `${reason}.`) : 'no reason given.';
}
