// The bare Node.js program that conlab's `node-async` model stands for:
// TASKS async functions started at once, each awaiting one setTimeout of
// LATENCY_NS, then awaited all together. The idiom itself (a promise
// around setTimeout, Promise.all), nothing of conlab's runner.
//
//   node examples/bare/node-timers.js TASKS LATENCY_NS
//
// It prints one JSON line shaped like the Rust reference programs' report
// (`conlab::reference::Report`): wall time from just before the first task
// is made until the last one has ended, the process's CPU time, context
// switches and peak RSS, and how late the tasks woke after their deadlines
// (median and maximum). The wake-ups cost two clock reads per task and a
// fixed 7 KB histogram, so a million tasks carry no list of them.

'use strict';

const [tasksArg, latencyArg] = process.argv.slice(2);
const tasks = Number(tasksArg);
const latencyNs = Number(latencyArg);
if (!Number.isSafeInteger(tasks) || tasks < 0 || !Number.isSafeInteger(latencyNs) || latencyNs < 0) {
  process.stderr.write('usage: node node-timers.js TASKS LATENCY_NS\n');
  process.exit(2);
}
const latencyMs = latencyNs / 1e6;

// Wake-up delays in µs, log-linear: exact below 128 µs, then 64 buckets per
// power of two (1.6 % wide).
const histogram = new Uint32Array(128 + 26 * 64);
let wakeMaxNs = 0;

function bucketOf(us) {
  if (us < 128) return us;
  const e = 31 - Math.clz32(us);
  return 128 + (e - 7) * 64 + ((us >>> (e - 6)) & 63);
}

function lowerBoundUs(b) {
  if (b < 128) return b;
  const e = 7 + Math.floor((b - 128) / 64);
  return (64 + ((b - 128) % 64)) * 2 ** (e - 6);
}

function medianNs() {
  let seen = 0;
  for (let b = 0; b < histogram.length; b++) {
    seen += histogram[b];
    if (seen * 2 >= tasks) return Math.min(lowerBoundUs(b) * 1000, wakeMaxNs);
  }
  return null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function task() {
  const deadline = performance.now() + latencyMs;
  await sleep(latencyMs);
  const lateNs = Math.max(0, Math.round((performance.now() - deadline) * 1e6));
  histogram[bucketOf(Math.min(Math.floor(lateNs / 1000), 2 ** 31 - 1))]++;
  if (lateNs > wakeMaxNs) wakeMaxNs = lateNs;
}

async function main() {
  const start = process.hrtime.bigint();
  const all = [];
  for (let i = 0; i < tasks; i++) all.push(task());
  await Promise.all(all);
  const end = process.hrtime.bigint();
  const usage = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      tasks,
      wall_ns: Number(end - start),
      user_ns: usage.userCPUTime * 1000,
      sys_ns: usage.systemCPUTime * 1000,
      ctx_voluntary: usage.voluntaryContextSwitches,
      ctx_involuntary: usage.involuntaryContextSwitches,
      peak_rss_kb: usage.maxRSS,
      wake_p50_ns: tasks > 0 ? medianNs() : null,
      wake_max_ns: tasks > 0 ? wakeMaxNs : null,
    }) + '\n',
  );
}

main();
