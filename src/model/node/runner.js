// conlab's Node.js runner: runs one job of a node-* model and reports when
// each task started and ended, how late each IO wait ended and, if asked,
// every IO wait and CPU burst. It speaks the runner protocol (version 5)
// exactly as conlab's CPython runner does: the job arrives as JSON on
// stdin, the reply leaves as one line of JSON on stdout. Nothing from an
// experiment file is ever part of this program, only data. One file, no
// npm dependencies, Node.js 20 or later; conlab can start it without a
// file on disk as `node --input-type=commonjs -e <this file>`, and it runs
// as well as `node runner.js`.
//
// Models (the request's `model`):
//   async    one promise (an async function) per task on Node's event
//            loop: IO waits overlap, CPU bursts block the loop (N:1);
//   workers  a worker_threads pool of `workers` threads, each with its own
//            event loop: the k-th task in dispatch order runs on worker
//            k mod W, concurrently with that worker's other tasks (N:M
//            without work stealing); counters live in a SharedArrayBuffer.
//            Its ideal is async-multi's, max(max S_i, sum P_i / min(W, C)),
//            reached when tasks are alike. t0 is taken before the workers
//            start: their start-up is in wall time, as a process pool's is
//            in the CPython runner.
//
// Every timestamp is nanoseconds on CLOCK_MONOTONIC (process.hrtime reads
// it through libuv's uv_hrtime), kept exact: t0 as seconds and
// nanoseconds, times inside the run as integer ns after t0 (exact as
// doubles for 104 days), and the reply adds them back to t0 in decimal
// digits, never through a float.

(function runner() {
  'use strict';

  const fs = require('fs');
  const threads = require('worker_threads');

  const PROTOCOL = 5;

  // ---------------------------------------------------------------- clock

  // t0 as process.hrtime gives it: whole seconds and the ns past them.
  let T0_S = 0;
  let T0_NS = 0;
  // t0 as a BigInt (for the delay server's answers), and its ns past its
  // millisecond (for the timer).
  let T0 = 0n;
  let T0_MS = 0;

  function setT0(t0) {
    T0_S = t0[0];
    T0_NS = t0[1];
    T0 = BigInt(T0_S) * 1000000000n + BigInt(T0_NS);
    T0_MS = T0_NS % 1e6;
  }

  /** ns after t0 on CLOCK_MONOTONIC. process.hrtime() and not
   * hrtime.bigint(): once compiled, reading it allocates nothing, where
   * two BigInts a read made a million tasks' run mostly garbage
   * collection. */
  function now() {
    const t = process.hrtime();
    return (t[0] - T0_S) * 1e9 + (t[1] - T0_NS);
  }

  /** An offset from t0 as the absolute time's decimal digits; NaN (never
   * set) is 0, the protocol's "no such time". */
  function absolute(offset) {
    if (offset !== offset) return '0';
    const ns = T0_NS + offset;
    const carry = Math.floor(ns / 1e9);
    const s = T0_S + carry;
    const rest = String(ns - carry * 1e9);
    return s > 0 ? s + '000000000'.slice(rest.length) + rest : rest;
  }

  function fail(message) {
    throw new RunnerError(message);
  }

  class RunnerError extends Error {}

  // --------------------------------------------------- this thread's CPU

  // Node 20 has no per-thread CPU clock. /proc/thread-self/schedstat's
  // first field is the thread's CPU time in ns (user and system), but the
  // kernel brings it up to date only at a tick or a context switch, so a
  // running thread reads a value up to a tick (4 ms at 250 Hz) old. A
  // getrusage(RUSAGE_SELF) call (process.cpuUsage) updates the calling
  // thread's runtime first (the kernel's thread_group_cputime), so the read
  // right after it is exact: about 2 µs for both on an idle machine.
  // process.threadCpuUsage (Node 22.15 and later) is the fallback.
  let cpuClock = null;

  function threadCpuClock() {
    let fd = -1;
    try {
      fd = fs.openSync('/proc/thread-self/schedstat', 'r');
    } catch (e) {
      fd = -1;
    }
    if (fd >= 0) {
      const buf = Buffer.alloc(64);
      return () => {
        process.cpuUsage();
        const n = fs.readSync(fd, buf, 0, 64, 0);
        let x = 0;
        for (let i = 0; i < n; i++) {
          const c = buf[i];
          if (c < 48 || c > 57) break;
          x = x * 10 + (c - 48);
        }
        return x;
      };
    }
    if (typeof process.threadCpuUsage === 'function') {
      return () => {
        const u = process.threadCpuUsage();
        return (u.user + u.system) * 1000;
      };
    }
    return fail(
      'no per-thread CPU clock: /proc/thread-self/schedstat cannot be read and this ' +
        'Node.js has no process.threadCpuUsage() (22.15 and later)',
    );
  }

  // Arithmetic between two reads of the CPU clock: at most MAX_SLICE_NS,
  // and half of what is left, so a burst ends within a read's cost (2-3
  // µs) of its target while most of it is arithmetic, not the clock's
  // system calls.
  const MAX_SLICE_NS = 200000;
  const MIN_SLICE_NS = 4000;
  // Iterations per ns of CPU, learnt from slices long enough to tell, and
  // what one read of the clock costs.
  let rate = 0;
  let readCost = 0;
  let sink = 1;

  function compute(iterations, x) {
    for (let k = 0; k < iterations; k++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    return x;
  }

  /** Opens the clock and runs a few short bursts, so the JIT has compiled
   * the clock and the arithmetic and the rate is known before a task's
   * burst counts: setup, before t0 (or in a worker's start-up). */
  function warmUp() {
    cpuClock = threadCpuClock();
    readCost = Infinity;
    let last = cpuClock();
    for (let k = 0; k < 8; k++) {
      const next = cpuClock();
      readCost = Math.min(readCost, next - last);
      last = next;
    }
    for (let k = 0; k < 5; k++) burn(1000000);
    last = cpuClock();
    for (let k = 0; k < 8; k++) {
      const next = cpuClock();
      readCost = Math.min(readCost, next - last);
      last = next;
    }
  }

  /** Computes until this thread's CPU clock has advanced by costNs, and
   * returns how far it advanced. Time spent preempted does not count. */
  function burn(costNs) {
    if (cpuClock === null) warmUp();
    let before = cpuClock();
    const began = before;
    const end = before + costNs;
    let x = sink;
    // Until the rate is known, a first slice of a thousand iterations
    // (microseconds even before the JIT compiles compute) measures it.
    let iterations = 1000;
    for (;;) {
      x = compute(iterations, x);
      const after = cpuClock();
      const took = after - before - readCost;
      if (took > 2 * readCost) {
        rate = rate === 0 ? iterations / took : 0.5 * rate + (0.5 * iterations) / took;
      }
      before = after;
      // Within half a read of the end: one more read would overshoot by
      // more than stopping now falls short.
      const left = end - before;
      if (left <= readCost / 2) break;
      const usable = left - readCost;
      const slice = usable < 2 * MIN_SLICE_NS ? usable : Math.min(MAX_SLICE_NS, usable / 2);
      iterations = slice > 0 ? Math.floor(slice * rate) : 0;
    }
    sink = x;
    return before - began;
  }

  // ---------------------------------------------------------------- timer

  // setTimeout counts whole milliseconds of the loop's clock: a timer
  // armed for k ms fires on the first turn of the loop at or after the
  // k-th millisecond boundary (of CLOCK_MONOTONIC) after the one it was
  // armed in, so up to a millisecond early, and it cannot wait less than
  // one. A wait here is never early: setTimeout legs aimed at the last
  // boundary at least MARGIN_NS before the deadline (a leg that fires
  // early is re-armed), then the rest, under a millisecond and a margin,
  // on the fine queue, which a setImmediate callback checks against
  // process.hrtime on every turn of the loop until it is empty. The loop
  // stays free while it spins (each turn polls IO and runs timers); the
  // spin costs CPU, up to 1.2 ms a wait. Measured on Node 20 (2 busy
  // cores, one task waiting in a loop, median of 200): 2-7 µs late at
  // 100 µs and 1 ms and 20-180 µs at 10 ms, where setTimeout alone is
  // 1 ms, 110 µs and 200 µs late and fires early 1-5 times in 200; and a
  // last setTimeout to the first boundary after the deadline instead of
  // the spin, 1.0-1.2 ms late. Under heavy load a spinning process waits
  // longer for a core than a sleeping one, and the tail grows.
  const MARGIN_NS = 200000;
  let fineDeadlines = [];
  let fineWakers = [];
  let spinning = false;

  /** The next leg of a wait until deadline (ns after t0) at t: a promise
   * of a setTimeout or of the fine queue, or null once it is over. */
  function timerLeg(deadline, t) {
    if (deadline <= t) return null;
    const boundary = t - ((T0_MS + t) % 1e6);
    const k = Math.floor((deadline - MARGIN_NS - boundary) / 1e6);
    if (k >= 1) return new Promise((resolve) => setTimeout(resolve, k));
    return new Promise((resolve) => fineWait(deadline, resolve));
  }

  /** Resolves once CLOCK_MONOTONIC has reached deadline. */
  async function sleepUntil(deadline) {
    for (let leg = timerLeg(deadline, now()); leg !== null; leg = timerLeg(deadline, now())) await leg;
  }

  /** Adds a waiter to the fine queue, a binary heap by deadline. */
  function fineWait(deadline, resolve) {
    let i = fineDeadlines.length;
    fineDeadlines.push(deadline);
    fineWakers.push(resolve);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (fineDeadlines[parent] <= deadline) break;
      fineDeadlines[i] = fineDeadlines[parent];
      fineWakers[i] = fineWakers[parent];
      i = parent;
    }
    fineDeadlines[i] = deadline;
    fineWakers[i] = resolve;
    if (!spinning) {
      spinning = true;
      setImmediate(checkFine);
    }
  }

  /** Wakes every waiter whose deadline has passed; again on the next turn
   * of the loop while any is left. */
  function checkFine() {
    const t = now();
    while (fineDeadlines.length > 0 && fineDeadlines[0] <= t) fineWake();
    if (fineDeadlines.length > 0) setImmediate(checkFine);
    else spinning = false;
  }

  /** Wakes the heap's first waiter. */
  function fineWake() {
    const wake = fineWakers[0];
    const lastDeadline = fineDeadlines.pop();
    const lastWaker = fineWakers.pop();
    const n = fineDeadlines.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && fineDeadlines[child + 1] < fineDeadlines[child]) child++;
        if (fineDeadlines[child] >= lastDeadline) break;
        fineDeadlines[i] = fineDeadlines[child];
        fineWakers[i] = fineWakers[child];
        i = child;
      }
      fineDeadlines[i] = lastDeadline;
      fineWakers[i] = lastWaker;
    }
    wake();
  }

  /** A turn of the event loop: lets every callback already due (timers,
   * IO) run first, as asyncio.sleep(0) does. */
  function yieldToLoop() {
    return new Promise((resolve) => setImmediate(resolve));
  }

  // ------------------------------------------------------------- TCP IO

  // The delay server: a request is the latency in ns as a big-endian u64;
  // after that latency the server answers with when it sent the answer
  // (ns on CLOCK_MONOTONIC, a big-endian u64). One connection per task,
  // kept across its rounds.
  class Connection {
    constructor(socket) {
      this.socket = socket;
      this.reply = Buffer.alloc(8);
      this.got = 0;
      this.resolve = null;
      this.reject = null;
      socket.on('data', (chunk) => this.received(chunk));
      socket.on('error', (e) => this.broken(e));
      socket.on('close', () => this.broken(new Error('the delay server closed the connection')));
    }

    /** Asks for latency ns; resolves to when the server sent its answer,
     * in ns after t0. */
    ask(latency) {
      const request = Buffer.alloc(8);
      request.writeBigUInt64BE(BigInt(latency));
      return new Promise((resolve, reject) => {
        this.resolve = resolve;
        this.reject = reject;
        this.socket.write(request);
      });
    }

    received(chunk) {
      if (this.resolve === null || this.got + chunk.length > 8) {
        this.broken(new Error('the delay server sent more than its 8-byte answer'));
        return;
      }
      chunk.copy(this.reply, this.got);
      this.got += chunk.length;
      if (this.got < 8) return;
      this.got = 0;
      const resolve = this.resolve;
      this.resolve = null;
      this.reject = null;
      resolve(Number(this.reply.readBigUInt64BE(0) - T0));
    }

    broken(e) {
      const reject = this.reject;
      this.resolve = null;
      this.reject = null;
      if (reject !== null) reject(e);
    }

    close() {
      this.reject = null;
      this.socket.destroy();
    }
  }

  function connect(address) {
    const net = require('net');
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon);
    const port = Number(address.slice(colon + 1));
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new Connection(socket));
      });
    });
  }

  // ------------------------------------------------------------ the job

  const NONE = 0;
  const RACY = 1;
  const LOCKED = 2;
  const ATOMIC = 3;
  const MODES = { none: NONE, racy: RACY, locked: LOCKED, atomic: ATOMIC };

  const SPAN_IO = 0;
  const SPAN_CPU = 1;
  const SPAN_NAMES = ['io', 'cpu'];

  /** A typed array of n elements, in shared memory when `shared`. */
  function array(Type, n, shared) {
    if (!shared) return new Type(n);
    return new Type(new SharedArrayBuffer(Math.max(1, n) * Type.BYTES_PER_ELEMENT));
  }

  function list(job, key, n) {
    const value = job[key];
    if (!Array.isArray(value) || value.length !== n) {
      fail(`the job's "${key}" must be a list of ${n} entries, one per task`);
    }
    return value;
  }

  /** The job as typed arrays (in shared memory for the workers): a parsed
   * job of a million tasks is a million small arrays, and dropped once
   * this has read it. Lists that say nothing (no CPU, all due at once,
   * dispatch in task order, one group) are left out. */
  function compact(job, shared) {
    const latencies = job.latencies;
    if (!Array.isArray(latencies)) fail('the job has no "latencies" list');
    const n = latencies.length;
    const first = array(Uint32Array, n + 1, shared);
    let rounds = 0;
    for (let i = 0; i < n; i++) {
      first[i] = rounds;
      if (!Array.isArray(latencies[i])) fail(`task ${i}'s latencies must be a list`);
      rounds += latencies[i].length;
    }
    first[n] = rounds;
    const lat = array(Float64Array, rounds, shared);
    for (let i = 0, r = 0; i < n; i++) {
      const l = latencies[i];
      for (let k = 0; k < l.length; k++) lat[r++] = l[k];
    }
    const optional = (key, Type) => {
      const values = list(job, key, n);
      let any = false;
      for (let i = 0; i < n && !any; i++) any = values[i] !== (key === 'order' ? i : 0);
      if (!any) return null;
      const out = array(Type, n, shared);
      for (let i = 0; i < n; i++) out[i] = values[i];
      return out;
    };
    const groups = job.groups;
    if (!Array.isArray(groups) || groups.length === 0) fail('the job needs a "groups" list');
    const modes = groups.map((g, i) => {
      const mode = MODES[g && g.shared];
      if (mode === undefined) fail(`group ${i}'s "shared" must be none, racy, locked or atomic`);
      return mode;
    });
    const group = optional('task_groups', Uint32Array);
    for (let i = 0; group !== null && i < n; i++) {
      if (group[i] >= groups.length) fail(`task ${i}'s group ${group[i]} is not among the job's ${groups.length}`);
    }
    const order = optional('order', Uint32Array);
    if (order !== null) {
      const seen = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        if (order[k] >= n || seen[order[k]]) fail('the job\'s "order" must hand out every task once');
        seen[order[k]] = 1;
      }
    }
    const tcp = job.tcp === null || job.tcp === undefined ? null : String(job.tcp);
    return {
      model: job.model,
      workers: Math.max(1, Number(job.workers) || 1),
      n,
      rounds,
      first,
      lat,
      cpu: optional('cpu_ns', Float64Array),
      due: optional('due', Float64Array),
      order,
      group,
      modes,
      awaitInside: groups.map((g) => g.await_inside === true),
      timeline: job.timeline === true,
      tcp,
      stopAfter: job.stop_after === null || job.stop_after === undefined ? null : Number(job.stop_after),
      deadline: job.deadline === null || job.deadline === undefined ? null : BigInt(job.deadline),
    };
  }

  /** What the run records, in typed arrays (shared for the workers): times
   * are ns after t0, NaN until set. */
  function makeRecords(job, shared) {
    const { n, rounds } = job;
    const start = array(Float64Array, n, shared).fill(NaN);
    const end = array(Float64Array, n, shared).fill(NaN);
    // Per round: when its IO wait began (its deadline is that plus its
    // latency), when the IO completed (over TCP; a sleep completes at its
    // deadline) and when the task ran again.
    const waitStart = array(Float64Array, rounds, shared).fill(NaN);
    const completed = job.tcp === null ? null : array(Float64Array, rounds, shared).fill(NaN);
    const resumed = array(Float64Array, rounds, shared).fill(NaN);
    // Per task: the CPU its bursts took on its thread's clock.
    const taskCpu = job.cpu === null ? null : array(Float64Array, n, shared);
    const timeline = job.timeline;
    return {
      start,
      end,
      waitStart,
      completed,
      resumed,
      taskCpu,
      spanCount: timeline ? array(Uint32Array, n, shared) : null,
      spanKind: timeline ? array(Uint8Array, 2 * rounds, shared) : null,
      spanStart: timeline ? array(Float64Array, 2 * rounds, shared) : null,
      spanEnd: timeline ? array(Float64Array, 2 * rounds, shared) : null,
      thread: timeline ? array(Uint32Array, n, shared) : null,
    };
  }

  function threadId() {
    const link = fs.readlinkSync('/proc/thread-self');
    return Number(link.slice(link.lastIndexOf('/') + 1));
  }

  // ----------------------------------------------------- shared counters

  // Each task of a group with a counter updates it once a round, after its
  // IO wait, around the round's CPU work:
  //   racy:   read the counter, do the work, write back what it read plus
  //           one (with await_inside, a turn of the event loop between the
  //           work and the write: setImmediate, as asyncio.sleep(0));
  //   locked: the same under a lock, timing waits for it;
  //   atomic: the work, then one increment that cannot interleave.

  /** A lock for tasks on one event loop: first come, first served, the
   * lock handed straight to the next waiter on release. */
  class LoopLock {
    constructor() {
      this.held = false;
      this.waiters = [];
      this.next = 0;
    }

    /** Takes the lock if it is free. */
    tryTake() {
      if (this.held) return false;
      this.held = true;
      return true;
    }

    /** Resolves once the lock is this caller's (call when tryTake failed). */
    take() {
      return new Promise((resolve) => this.waiters.push(resolve));
    }

    release() {
      if (this.next < this.waiters.length) {
        const resolve = this.waiters[this.next];
        this.waiters[this.next++] = undefined;
        if (this.next === this.waiters.length) {
          this.waiters.length = 0;
          this.next = 0;
        }
        resolve();
      } else {
        this.held = false;
      }
    }
  }

  /** A group's counter on the one event loop of `async`: a plain number,
   * atomic by construction (nothing else runs until a task awaits). */
  class LoopCounter {
    constructor(mode, awaitInside) {
      this.mode = mode;
      this.awaitInside = awaitInside;
      this.value = 0;
      this.lockWait = 0;
      this.lock = new LoopLock();
    }

    /** One round's update around work(); a promise only when it awaits. */
    update(work) {
      if (this.mode === ATOMIC) {
        work();
        this.value++;
        return null;
      }
      if (this.mode === RACY && !this.awaitInside) {
        const read = this.value;
        work();
        this.value = read + 1;
        return null;
      }
      return this.updateAsync(work);
    }

    async updateAsync(work) {
      const locked = this.mode === LOCKED;
      if (locked && !this.lock.tryTake()) {
        const start = now();
        await this.lock.take();
        this.lockWait += now() - start;
      }
      try {
        const read = this.value;
        work();
        if (this.awaitInside) await yieldToLoop();
        this.value = read + 1;
      } finally {
        if (locked) this.lock.release();
      }
    }

    result() {
      return { final: this.value, lockWait: this.lockWait };
    }
  }

  /** The groups' counters in shared memory, for the workers: the value and
   * the lock wait (BigInt64, ns) and a lock word (Int32) per group. */
  function makeSharedCounters(groups) {
    return {
      values: array(BigInt64Array, groups, true),
      lockWaits: array(BigInt64Array, groups, true),
      locks: array(Int32Array, groups, true),
    };
  }

  /** A group's counter as one worker sees it. racy: Atomics.load, the
   * work, Atomics.store, so another worker's update in between is lost;
   * atomic: Atomics.add; locked: a futex lock over Atomics.wait and
   * Atomics.notify (0 free, 1 held, 2 held with waiters), which blocks
   * the waiting worker's thread. A worker's own tasks queue for it on a
   * LoopLock first, so a task that awaits while holding it never has a
   * task of its own loop blocking the thread it needs to release it. */
  class WorkerCounter {
    constructor(shared, g, mode, awaitInside) {
      this.values = shared.values;
      this.lockWaits = shared.lockWaits;
      this.locks = shared.locks;
      this.g = g;
      this.mode = mode;
      this.awaitInside = awaitInside;
      this.local = new LoopLock();
    }

    update(work) {
      const { values, g } = this;
      if (this.mode === ATOMIC) {
        work();
        Atomics.add(values, g, 1n);
        return null;
      }
      if (this.mode === RACY && !this.awaitInside) {
        const read = Atomics.load(values, g);
        work();
        Atomics.store(values, g, read + 1n);
        return null;
      }
      return this.updateAsync(work);
    }

    async updateAsync(work) {
      const { values, g } = this;
      const locked = this.mode === LOCKED;
      if (locked) {
        let waited = 0;
        if (!this.local.tryTake()) {
          const start = now();
          await this.local.take();
          waited = now() - start;
        }
        waited += this.takeShared();
        if (waited > 0) Atomics.add(this.lockWaits, g, BigInt(waited));
      }
      try {
        const read = Atomics.load(values, g);
        work();
        if (this.awaitInside) await yieldToLoop();
        Atomics.store(values, g, read + 1n);
      } finally {
        if (locked) {
          this.releaseShared();
          this.local.release();
        }
      }
    }

    /** Takes the lock shared by the workers; returns how long it waited. */
    takeShared() {
      const { locks, g } = this;
      if (Atomics.compareExchange(locks, g, 0, 1) === 0) return 0;
      const start = now();
      while (Atomics.exchange(locks, g, 2) !== 0) Atomics.wait(locks, g, 2);
      return now() - start;
    }

    releaseShared() {
      const { locks, g } = this;
      if (Atomics.sub(locks, g, 1) !== 1) {
        Atomics.store(locks, g, 0);
        Atomics.notify(locks, g, 1);
      }
    }
  }

  // ------------------------------------------------------------ the tasks

  /** Runs the tasks handed out on this thread's event loop, each one
   * async function, and resolves when the last has ended. `share` picks
   * this loop's tasks out of the dispatch order. */
  function runLoop(job, records, counters, tid, share) {
    const { first, lat, cpu, due, order, group, stopAfter } = job;
    const { start, end, waitStart, completed, resumed, taskCpu, spanCount, spanKind, spanStart, spanEnd, thread } =
      records;
    const stop = stopAfter;
    const failures = [];
    let pending = 0;
    let dispatched = false;
    let done = null;
    const finished = new Promise((resolve) => {
      done = resolve;
    });

    function span(i, kind, s, e) {
      const slot = 2 * first[i] + spanCount[i]++;
      spanKind[slot] = kind;
      spanStart[slot] = s;
      spanEnd[slot] = e;
    }

    function work(i) {
      const cost = cpu === null ? 0 : cpu[i];
      if (cost <= 0) return;
      const s = now();
      taskCpu[i] += burn(cost);
      if (spanCount !== null) span(i, SPAN_CPU, s, now());
    }

    // One async function per task. A suspended task keeps its whole
    // register file (and a timer leg its promise and Timeout, as a bare
    // program's setTimeout does), so it keeps few locals, and it reads the
    // clock only where time has passed: its start is its first wait's
    // start, and its last wake-up its end when nothing follows.
    async function task(i) {
      let t = now();
      let connection = null;
      try {
        start[i] = t;
        if (thread !== null) thread[i] = tid;
        if (first[i] === first[i + 1]) end[i] = t;
        if (job.tcp !== null && (connection = await connectFor(i)) !== null) t = now();
        for (let r = first[i]; r < first[i + 1]; r++) {
          // Past the run's stop: the task ends here, unfinished (no end).
          if (stop !== null && (t = now()) >= stop) break;
          if (lat[r] > 0) {
            const deadline = t + lat[r];
            let done = deadline;
            if (connection === null) {
              // The read that finds the deadline passed is the wake-up.
              for (let leg = timerLeg(deadline, t); leg !== null; leg = timerLeg(deadline, (t = now()))) {
                await leg;
              }
            } else {
              done = await connection.ask(lat[r]);
              t = now();
            }
            waited(i, r, deadline - lat[r], done, t);
            if (stop !== null && t >= stop) break;
          }
          const update = roundWork(i);
          if (update !== null) await update;
          if (update !== null || cpu !== null) t = now();
          if (r + 1 === first[i + 1]) end[i] = t;
        }
      } catch (e) {
        failures.push(`task ${i}: ${e && e.stack ? e.stack : e}`);
      }
      if (connection !== null) connection.close();
      pending--;
      if (pending === 0 && dispatched) done(failures);
    }

    /** A round's work after its IO wait: its CPU burst, inside an update
     * of its group's counter if it has one; a promise when that waits. */
    function roundWork(i) {
      const counter = counters[group === null ? 0 : group[i]];
      if (counter === null) {
        work(i);
        return null;
      }
      return counter.update(() => work(i));
    }

    /** Records round r's IO wait, which began at s (and was due its
     * latency later), completed at done, and after which the task ran
     * again at e. */
    function waited(i, r, s, done, e) {
      waitStart[r] = s;
      if (completed !== null) completed[r] = done;
      resumed[r] = e;
      if (spanCount !== null) span(i, SPAN_IO, s, e);
    }

    /** Task i's connection to the delay server, if it waits on IO at all. */
    function connectFor(i) {
      for (let r = first[i]; r < first[i + 1]; r++) {
        if (lat[r] > 0) return connect(job.tcp);
      }
      return null;
    }

    async function dispatch() {
      for (let k = share.from; k < job.n; k += share.step) {
        const i = order === null ? k : order[k];
        if (due !== null) {
          const at = due[i];
          if (stop !== null && (at >= stop || now() >= stop)) break;
          if (at > now()) await sleepUntil(at);
        }
        if (stop !== null && now() >= stop) break;
        pending++;
        task(i);
      }
      dispatched = true;
      if (pending === 0) done(failures);
    }

    dispatch().catch((e) => {
      failures.push(`dispatch: ${e && e.stack ? e.stack : e}`);
      dispatched = true;
      if (pending === 0) done(failures);
    });
    return finished;
  }

  // ------------------------------------------------------------- models

  async function runAsync(job, records) {
    const counters = job.modes.map((mode, g) =>
      mode === NONE ? null : new LoopCounter(mode, job.awaitInside[g]),
    );
    const tid = records.thread === null ? 0 : threadId();
    const failures = await runLoop(job, records, counters, tid, { from: 0, step: 1 });
    if (failures.length > 0) fail(failures.join('\n'));
    return counters.map((c) => (c === null ? null : c.result()));
  }

  async function runWorkers(job, records, source) {
    const shared = makeSharedCounters(job.modes.length);
    const W = job.workers;
    const exits = [];
    for (let w = 0; w < W; w++) {
      const worker = new threads.Worker(source, {
        eval: true,
        workerData: { job, records, shared, t0: [T0_S, T0_NS], share: { from: w, step: W } },
        stdout: false,
        stderr: false,
      });
      exits.push(
        new Promise((resolve) => {
          let reason = null;
          worker.on('message', (m) => {
            if (m && m.failures && m.failures.length > 0) reason = m.failures.join('\n');
          });
          worker.on('error', (e) => {
            reason = `worker ${w}: ${e && e.stack ? e.stack : e}`;
          });
          worker.on('exit', (code) => {
            if (reason === null && code !== 0) reason = `worker ${w} exited with code ${code}`;
            resolve(reason);
          });
        }),
      );
    }
    const reasons = (await Promise.all(exits)).filter((r) => r !== null);
    if (reasons.length > 0) fail(reasons.join('\n'));
    return job.modes.map((mode, g) =>
      mode === NONE ? null : { final: Number(shared.values[g]), lockWait: Number(shared.lockWaits[g]) },
    );
  }

  /** A worker thread of `workers`: its share of the tasks on its own loop. */
  function workerMain(data) {
    setT0(data.t0);
    const { job, records, shared, share } = data;
    const counters = job.modes.map((mode, g) =>
      mode === NONE ? null : new WorkerCounter(shared, g, mode, job.awaitInside[g]),
    );
    const tid = records.thread === null ? 0 : threadId();
    if (job.cpu !== null) warmUp();
    runLoop(job, records, counters, tid, share).then((failures) => {
      threads.parentPort.postMessage({ failures });
    });
  }

  // --------------------------------------------------------------- reply

  /** Writes all of text to fd, waiting out a full non-blocking pipe. */
  function writeAll(fd, text) {
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  }

  /** The reply, written as it is made in pieces of about 64 KB: a million
   * tasks' records never sit whole in memory. */
  function writeReply(job, records, before, counters) {
    const { n, first, lat } = job;
    const { start, end, waitStart, completed, resumed, taskCpu, spanCount, spanKind, spanStart, spanEnd, thread } =
      records;
    let out = `{"protocol":${PROTOCOL},"runtime":${RUNTIME},"t0":${T0},"startup_usage":${JSON.stringify(before)},"tasks":[`;
    for (let i = 0; i < n; i++) {
      out += `${i > 0 ? ',' : ''}{"start":${absolute(start[i])},"end":${absolute(end[i])},"waits":[`;
      let waits = '';
      for (let r = first[i]; r < first[i + 1]; r++) {
        const s = waitStart[r];
        if (s !== s) continue;
        const deadline = absolute(s + lat[r]);
        const done = completed === null ? deadline : absolute(completed[r]);
        waits += `${waits === '' ? '' : ','}[${deadline},${done},${absolute(resumed[r])}]`;
      }
      const cpu = taskCpu === null ? 0 : Math.round(taskCpu[i]);
      out += `${waits}],"cpu_ns":${cpu},"spans":[`;
      if (spanCount !== null) {
        const base = 2 * first[i];
        for (let s = 0; s < spanCount[i]; s++) {
          out +=
            `${s > 0 ? ',' : ''}["${SPAN_NAMES[spanKind[base + s]]}",` +
            `${absolute(spanStart[base + s])},${absolute(spanEnd[base + s])},${thread[i]}]`;
        }
      }
      out += ']}';
      if (out.length > 65536) {
        writeAll(1, out);
        out = '';
      }
    }
    const shared = counters.map((c) => (c === null ? null : { final: c.final, lock_wait_ns: c.lockWait }));
    writeAll(1, `${out}],"shared":${JSON.stringify(shared)}}\n`);
  }

  /** What runs this runner, as protocol 5 asks. */
  const RUNTIME = JSON.stringify({ name: 'node', version: process.version });

  /** Answers with a refusal (as data: conlab skips the cell with the
   * reason) and exits 3. */
  function refuse(why) {
    writeAll(1, `${JSON.stringify({ protocol: PROTOCOL, refused: why, runtime: JSON.parse(RUNTIME) })}\n`);
    process.exit(3);
  }

  /** CPU time, context switches and peak RSS so far (the whole process:
   * worker threads are threads of it). */
  function usage() {
    const u = process.resourceUsage();
    return {
      user_ns: u.userCPUTime * 1000,
      sys_ns: u.systemCPUTime * 1000,
      ctx_voluntary: u.voluntaryContextSwitches,
      ctx_involuntary: u.involuntaryContextSwitches,
      peak_rss_kb: u.maxRSS,
    };
  }

  /** A full garbage collection, before t0: the parsed job (a million
   * tasks' lists) is garbage by then, and collected now its memory serves
   * the tasks instead of adding to the peak beside them. */
  function collectGarbage() {
    require('v8').setFlagsFromString('--expose-gc');
    const gc = require('vm').runInNewContext('gc');
    gc();
  }

  /** Reads all of stdin (a blocking pipe or file; waits out EAGAIN). */
  function readStdin() {
    const chunks = [];
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      let got;
      try {
        got = fs.readSync(0, chunk, 0, chunk.length, null);
      } catch (e) {
        if (e.code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          continue;
        }
        if (e.code === 'EOF') break;
        throw e;
      }
      if (got === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, got)));
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function main() {
    let parsed;
    try {
      parsed = JSON.parse(readStdin());
    } catch (e) {
      fail(`the job on stdin is not JSON: ${e.message}`);
    }
    if (parsed === null || typeof parsed !== 'object') fail('the job on stdin is not a JSON object');
    if (parsed.protocol !== PROTOCOL) {
      refuse(`this runner speaks runner protocol ${PROTOCOL}, and the job is protocol ${JSON.stringify(parsed.protocol)}`);
    }
    const model = parsed.model;
    if (model !== 'async' && model !== 'workers') {
      refuse(`this runner has no model ${JSON.stringify(model)} (it has async, workers)`);
    }
    const job = compact(parsed, model === 'workers');
    parsed = null;
    const records = makeRecords(job, model === 'workers');
    const source = model === 'workers' ? `(${runner.toString()})();` : null;
    if (job.tcp !== null) require('net');
    if (job.cpu !== null && model === 'async') warmUp();

    collectGarbage();
    const before = usage();
    setT0(process.hrtime());
    // The run's deadline is a stop too: nothing is handed out past it, and
    // tasks end at their next round (ns after t0, like stop_after).
    if (job.deadline !== null) {
      const untilDeadline = Number(job.deadline - T0);
      job.stopAfter = job.stopAfter === null ? untilDeadline : Math.min(job.stopAfter, untilDeadline);
      job.deadline = null;
    }
    const counters = model === 'async' ? await runAsync(job, records) : await runWorkers(job, records, source);
    writeReply(job, records, before, counters);
    // Every task, worker and socket has ended; skipping Node's teardown
    // keeps it out of the run's CPU.
    process.exit(0);
  }

  if (threads.isMainThread) {
    main().catch((e) => {
      const message = e instanceof RunnerError ? e.message : e && e.stack ? e.stack : String(e);
      writeAll(2, `conlab node runner: ${message}\n`);
      process.exit(1);
    });
  } else {
    workerMain(threads.workerData);
  }
})();
