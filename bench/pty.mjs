// Shared by the serial benchmarks: a socat pty pair standing in for a USB adapter, ports on it, and a daemon session on its host end.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { close, constants, mkdtempSync, open, read, readFileSync, rmSync, write } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import WebSocket from 'ws';
import { startDaemon } from './lib.mjs';

// The daemon reads real ports with a 64 KiB pool (REAL_READ_BYTES in board-registry.ts): the direct reader uses the same.
const READ_BYTES = 64 * 1024;
const POLL_MS = 20;
const WAIT_MS = 10_000;

/** socat's pair: `board` is the bench's end, `host` the one the daemon (or the direct reader) opens as the board's port. */
export async function ptyPair() {
  const dir = mkdtempSync('/tmp/fbay-pty-');
  const board = join(dir, 'board');
  const host = join(dir, 'host');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${host}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = once(socat, 'exit');
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socat.kill('SIGTERM');
      reject(new Error(`socat did not start in ${WAIT_MS} ms: ${log}`));
    }, WAIT_MS);
    socat.stderr.on('data', (chunk) => {
      log += chunk;
      if (!log.includes('starting data transfer loop')) return;
      clearTimeout(timer);
      resolve();
    });
    socat.once('error', reject);
    socat.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log}`)));
  });
  return {
    dir,
    board,
    host,
    pid: socat.pid,
    async stop() {
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One end opened through the same binding as the daemon's (bindings-cpp), raw; retried while the daemon still holds it. */
export async function openPort(path) {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false, highWaterMark: READ_BYTES, hupcl: false });
    try {
      await new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
      return port;
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await delay(POLL_MS);
    }
  }
}

/**
 * The bench's own end as a plain blocking fd (socat made it raw): a write parks one libuv pool thread in the kernel
 * until the pty has taken it all, so "the board" costs almost no CPU and the figures are about the path under test.
 */
export async function openBoard(path) {
  const fd = await promisify(open)(path, constants.O_RDWR | constants.O_NOCTTY);
  const writeAsync = promisify(write);
  let closed = false;
  return {
    fd,
    async write(buf) {
      for (let off = 0; off < buf.length; ) off += (await writeAsync(fd, buf, off, buf.length - off)).bytesWritten;
    },
    /** Sends back every byte it reads, as soon as it reads it, until close(). */
    echo() {
      const buf = Buffer.allocUnsafe(4096);
      const loop = () =>
        read(fd, buf, 0, buf.length, null, (err, n) => {
          if (err || closed || n === 0) return;
          write(fd, buf, 0, n, (werr) => werr || closed || loop());
        });
      loop();
    },
    close() {
      closed = true;
      return promisify(close)(fd);
    },
  };
}

export function closePort(port) {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

/** A daemon whose only board is the pair's host end, as a config entry; resolves once the board is available. */
export async function startPtyDaemon(pair, name = 'pty1') {
  const d = await startDaemon({ boards: [{ name, type: 'usb-serial', path: pair.host }], virtual_boards: 0 });
  try {
    await waitBoard(d, name, 'available');
    return d;
  } catch (err) {
    await d.stop();
    throw err;
  }
}

export async function waitBoard(d, id, state) {
  await until(async () => (await d.api('GET', '/v1/boards')).body.boards?.find((b) => b.id === id)?.state === state, `board ${id} to be ${state}`);
}

/** A session on the board with its serial WebSocket open; end() deletes it and waits until the board is free again. */
export async function openSession(d, boardId = 'pty1') {
  const created = await d.api('POST', '/v1/sessions', { board_id: boardId, idle_timeout_s: 3600 });
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  await until(async () => ['idle', 'active'].includes((await d.api('GET', `/v1/sessions/${id}`)).body.state), `session ${id} to be idle`);
  const ws = new WebSocket(`ws+unix://${d.socket}:/v1/sessions/${id}/serial`, { perMessageDeflate: false });
  await once(ws, 'open');
  return {
    id,
    ws,
    async end() {
      ws.close();
      await once(ws, 'close');
      await d.api('DELETE', `/v1/sessions/${id}`);
      await waitBoard(d, boardId, 'available');
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms; /proc counts in USER_HZ, 100 on Linux. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function until(check, what) {
  const deadline = performance.now() + WAIT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(POLL_MS);
  }
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
