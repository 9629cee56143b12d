// conlab's Java runner: runs one job of a java-* model and reports when
// each task started and ended, how late each IO wait ended and, if asked,
// every IO wait and CPU burst. It speaks the runner protocol (version 5):
// the job arrives as JSON on stdin, the reply leaves as one line of JSON
// on stdout. Nothing from an experiment file is ever part of this program,
// only data. One file, the JDK's own classes only; conlab compiles it with
// `javac --release 17` on first use into its cache directory, and it runs
// on any JVM from 17 on. Virtual threads (Java 21) are reached by
// reflection, so the class compiles for 17 and still uses them on 21.
//
// Models (the request's `model`):
//   platform-threads  one platform thread per task (1:1);
//   fixed-pool        Executors.newFixedThreadPool(workers), tasks
//                     submitted in dispatch order;
//   virtual           Executors.newVirtualThreadPerTaskExecutor(): one
//                     virtual thread per task, mounted on carrier threads,
//                     one per core (N:M).
//
// Every timestamp is ns on CLOCK_MONOTONIC: HotSpot's System.nanoTime()
// on Linux is clock_gettime(CLOCK_MONOTONIC) itself, without an offset.
//
// CPU bursts burn until the running thread's CPU clock has advanced by
// the cost: ThreadMXBean.getCurrentThreadCpuTime() on a platform thread.
// A virtual thread has no CPU clock of its own (the JVM reports -1 for
// it); while it computes it cannot be unmounted (Java 21 preempts virtual
// threads only where they block), so its burst is timed on the clock of
// the carrier thread it is mounted on, found through
// Thread.currentCarrierThread (java.base opened to this class with
// --add-opens, as conlab starts it).

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

public final class ConlabRunner {
    static final int PROTOCOL = 5;

    // ------------------------------------------------------------ errors

    static final class Fail extends RuntimeException {
        Fail(String message) {
            super(message);
        }
    }

    static final class Refuse extends RuntimeException {
        Refuse(String message) {
            super(message);
        }
    }

    // -------------------------------------------------------------- JSON

    /** A reader of the job's JSON, straight into arrays: a million tasks'
     * lists never become a million objects. */
    static final class Json {
        final byte[] b;
        int p;

        Json(byte[] b) {
            this.b = b;
        }

        Fail bad(String what) {
            return new Fail("the job on stdin is not JSON of the runner protocol: " + what + " at byte " + p);
        }

        void ws() {
            while (p < b.length && (b[p] == ' ' || b[p] == '\n' || b[p] == '\r' || b[p] == '\t')) p++;
        }

        int peek() {
            ws();
            return p < b.length ? b[p] : -1;
        }

        void expect(char c) {
            if (peek() != c) throw bad("expected '" + c + "'");
            p++;
        }

        boolean eat(char c) {
            if (peek() == c) {
                p++;
                return true;
            }
            return false;
        }

        boolean isNull() {
            if (peek() == 'n') {
                literal("null");
                return true;
            }
            return false;
        }

        void literal(String word) {
            ws();
            for (int k = 0; k < word.length(); k++) {
                if (p >= b.length || b[p] != word.charAt(k)) throw bad("expected " + word);
                p++;
            }
        }

        long number() {
            ws();
            boolean negative = p < b.length && b[p] == '-';
            if (negative) p++;
            int start = p;
            long x = 0;
            while (p < b.length && b[p] >= '0' && b[p] <= '9') {
                x = x * 10 + (b[p] - '0');
                p++;
            }
            if (p == start) throw bad("expected a number");
            if (p < b.length && (b[p] == '.' || b[p] == 'e' || b[p] == 'E')) throw bad("expected an integer");
            return negative ? -x : x;
        }

        boolean bool() {
            if (peek() == 't') {
                literal("true");
                return true;
            }
            literal("false");
            return false;
        }

        String string() {
            expect('"');
            StringBuilder s = new StringBuilder();
            int start = p;
            while (p < b.length && b[p] != '"') {
                if (b[p] == '\\') {
                    s.append(new String(b, start, p - start, StandardCharsets.UTF_8));
                    p++;
                    if (p >= b.length) throw bad("an unterminated string");
                    char c = (char) b[p++];
                    switch (c) {
                        case 'n': s.append('\n'); break;
                        case 't': s.append('\t'); break;
                        case 'r': s.append('\r'); break;
                        case 'b': s.append('\b'); break;
                        case 'f': s.append('\f'); break;
                        case 'u':
                            if (p + 4 > b.length) throw bad("a bad escape");
                            s.append((char) Integer.parseInt(new String(b, p, 4, StandardCharsets.US_ASCII), 16));
                            p += 4;
                            break;
                        default: s.append(c);
                    }
                    start = p;
                } else {
                    p++;
                }
            }
            if (p >= b.length) throw bad("an unterminated string");
            s.append(new String(b, start, p - start, StandardCharsets.UTF_8));
            p++;
            return s.toString();
        }

        long[] numbers() {
            LongList out = new LongList();
            expect('[');
            if (!eat(']')) {
                do out.add(number()); while (eat(','));
                expect(']');
            }
            return out.toArray();
        }

        void skip() {
            int c = peek();
            if (c == '{') {
                p++;
                if (eat('}')) return;
                do {
                    string();
                    expect(':');
                    skip();
                } while (eat(','));
                expect('}');
            } else if (c == '[') {
                p++;
                if (eat(']')) return;
                do skip(); while (eat(','));
                expect(']');
            } else if (c == '"') {
                string();
            } else if (c == 't' || c == 'f') {
                bool();
            } else if (c == 'n') {
                literal("null");
            } else {
                ws();
                while (p < b.length && "+-0123456789.eE".indexOf(b[p]) >= 0) p++;
            }
        }
    }

    static final class LongList {
        long[] a = new long[16];
        int n;

        void add(long x) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = x;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    // --------------------------------------------------------------- job

    static final int NONE = 0, RACY = 1, LOCKED = 2, ATOMIC = 3;

    static long protocol = -1;
    static String model = "";
    static int workers = 1;
    static int n;
    static int[] first;
    static long[] lat;
    static long[] cpu;
    static long[] due;
    static int[] order;
    static int[] group;
    static Counter[] counters;
    static boolean timeline;
    static String tcp;
    static long stopAfter = -1;
    static long deadline = -1;
    /** The run's stop, absolute; 0: none. */
    static long stop;

    static void read(byte[] input) {
        Json j = new Json(input);
        long[] cpuNs = null, dueNs = null, orderL = null, groupsL = null;
        List<String> shared = new ArrayList<>();
        List<Boolean> awaitInside = new ArrayList<>();
        IntList firsts = new IntList();
        LongList lats = new LongList();
        j.expect('{');
        if (!j.eat('}')) {
            do {
                String key = j.string();
                j.expect(':');
                switch (key) {
                    case "protocol": protocol = j.isNull() ? -1 : j.number(); break;
                    case "model": model = j.string(); break;
                    case "workers": workers = (int) Math.max(1, j.number()); break;
                    case "cpu_ns": cpuNs = j.numbers(); break;
                    case "latencies":
                        j.expect('[');
                        if (!j.eat(']')) {
                            do {
                                firsts.add(lats.n);
                                j.expect('[');
                                if (!j.eat(']')) {
                                    do lats.add(j.number()); while (j.eat(','));
                                    j.expect(']');
                                }
                            } while (j.eat(','));
                            j.expect(']');
                        }
                        break;
                    case "timeline": timeline = j.bool(); break;
                    case "tcp": tcp = j.isNull() ? null : j.string(); break;
                    case "due": dueNs = j.numbers(); break;
                    case "order": orderL = j.numbers(); break;
                    case "stop_after": stopAfter = j.isNull() ? -1 : j.number(); break;
                    case "deadline": deadline = j.isNull() ? -1 : j.number(); break;
                    case "task_groups": groupsL = j.numbers(); break;
                    case "groups":
                        j.expect('[');
                        if (!j.eat(']')) {
                            do {
                                String mode = "none";
                                boolean await = false;
                                j.expect('{');
                                if (!j.eat('}')) {
                                    do {
                                        String k = j.string();
                                        j.expect(':');
                                        if (k.equals("shared")) mode = j.string();
                                        else if (k.equals("await_inside")) await = j.bool();
                                        else j.skip();
                                    } while (j.eat(','));
                                    j.expect('}');
                                }
                                shared.add(mode);
                                awaitInside.add(await);
                            } while (j.eat(','));
                            j.expect(']');
                        }
                        break;
                    default: j.skip();
                }
            } while (j.eat(','));
            j.expect('}');
        }
        if (protocol != PROTOCOL) {
            throw new Refuse("this runner speaks runner protocol " + PROTOCOL + ", and the job is protocol "
                    + (protocol < 0 ? "none" : Long.toString(protocol)));
        }
        if (!model.equals("platform-threads") && !model.equals("fixed-pool") && !model.equals("virtual")) {
            throw new Refuse("this runner has no model \"" + model + "\" (it has platform-threads, fixed-pool, virtual)");
        }
        n = firsts.n;
        first = new int[n + 1];
        System.arraycopy(firsts.a, 0, first, 0, n);
        first[n] = lats.n;
        lat = lats.toArray();
        cpu = perTask("cpu_ns", cpuNs);
        due = perTask("due", dueNs);
        order = ints(perTask("order", orderL));
        group = ints(perTask("task_groups", groupsL));
        boolean[] seen = new boolean[n];
        for (int i : order) {
            if (i < 0 || i >= n || seen[i]) throw new Fail("the job's \"order\" must hand out every task once");
            seen[i] = true;
        }
        if (shared.isEmpty()) throw new Fail("the job needs a \"groups\" list");
        counters = new Counter[shared.size()];
        for (int g = 0; g < counters.length; g++) {
            int mode;
            switch (shared.get(g)) {
                case "none": continue;
                case "racy": mode = RACY; break;
                case "locked": mode = LOCKED; break;
                case "atomic": mode = ATOMIC; break;
                default: throw new Fail("group " + g + "'s \"shared\" must be none, racy, locked or atomic");
            }
            counters[g] = new Counter(mode, awaitInside.get(g));
        }
        for (int i = 0; i < n; i++) {
            if (group[i] < 0 || group[i] >= counters.length) {
                throw new Fail("task " + i + "'s group " + group[i] + " is not among the job's " + counters.length);
            }
        }
    }

    static long[] perTask(String name, long[] values) {
        if (values == null || values.length != n) {
            throw new Fail("the job's \"" + name + "\" must be a list of " + n + " entries, one per task");
        }
        return values;
    }

    static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int k = 0; k < values.length; k++) out[k] = (int) values[k];
        return out;
    }

    static final class IntList {
        int[] a = new int[16];
        int n;

        void add(int x) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = x;
        }
    }

    // ----------------------------------------------------------- records

    static long[] start, end, waitDeadline, completed, resumed, taskCpu;
    static List<long[]>[] spans;
    static final String[] SPAN_KINDS = {"io", "cpu"};

    @SuppressWarnings("unchecked")
    static void makeRecords() {
        start = new long[n];
        end = new long[n];
        waitDeadline = new long[lat.length];
        resumed = new long[lat.length];
        completed = tcp == null ? null : new long[lat.length];
        taskCpu = new long[n];
        if (timeline) spans = new List[n];
    }

    /** The OS thread id (gettid) of the thread running this: a virtual
     * thread's carrier. */
    static long osThread() {
        try {
            String link = Files.readSymbolicLink(Paths.get("/proc/thread-self")).toString();
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    static void span(int i, int kind, long s, long e) {
        if (spans == null) return;
        if (spans[i] == null) spans[i] = new ArrayList<>(4);
        spans[i].add(new long[] {kind, s, e, osThread()});
    }

    // --------------------------------------------------------------- clock

    /** Waits until CLOCK_MONOTONIC has reached the deadline: never early,
     * LockSupport.parkNanos (a virtual thread unmounts) re-armed until the
     * clock says so. */
    static long sleepUntil(long deadline) {
        for (;;) {
            long t = System.nanoTime();
            if (t - deadline >= 0) return t;
            LockSupport.parkNanos(deadline - t);
        }
    }

    // ----------------------------------------------------------------- CPU

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    static Method currentCarrier;
    static volatile int sink = 1;

    /** This thread's CPU clock: its own for a platform thread, its
     * carrier's for a virtual one. */
    static long cpuNow(Thread carrier) {
        if (carrier == null) return THREADS.getCurrentThreadCpuTime();
        return THREADS.getThreadCpuTime(carrier.getId());
    }

    static Thread carrierOf(Thread t) {
        if (!isVirtual(t)) return null;
        try {
            return (Thread) currentCarrier.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new Fail("cannot find the carrier thread of a virtual thread: " + e);
        }
    }

    static Method isVirtualMethod;

    static boolean isVirtual(Thread t) {
        if (isVirtualMethod == null) return false;
        try {
            return (Boolean) isVirtualMethod.invoke(t);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    static int compute(int iterations, int x) {
        for (int k = 0; k < iterations; k++) x = x * 1103515245 + 12345;
        return x;
    }

    /** Computes until this thread's CPU clock has advanced by cost ns;
     * returns how far it advanced. */
    static long burn(long cost) {
        Thread carrier = carrierOf(Thread.currentThread());
        long readCost = Long.MAX_VALUE;
        long last = cpuNow(carrier);
        for (int k = 0; k < 4; k++) {
            long next = cpuNow(carrier);
            readCost = Math.min(readCost, next - last);
            last = next;
        }
        long began = last, before = last, until = began + cost;
        int x = sink;
        double rate = 0;
        int iterations = 1000;
        for (;;) {
            x = compute(iterations, x);
            long after = cpuNow(carrier);
            double took = (after - before) - readCost;
            if (took > 2.0 * readCost && took > 0) {
                double r = iterations / took;
                rate = rate == 0 ? r : 0.5 * rate + 0.5 * r;
            }
            before = after;
            long left = until - before;
            if (left <= readCost / 2) break;
            double usable = left - readCost;
            double slice = usable < 8000 ? usable : Math.min(200000, usable / 2);
            iterations = (slice <= 0 || rate == 0) ? 1000 : (int) Math.max(1, slice * rate);
        }
        sink = x;
        return before - began;
    }

    // ------------------------------------------------------------ counters

    static final class Counter {
        final int mode;
        final boolean awaitInside;
        final AtomicLong value = new AtomicLong();
        final AtomicLong lockWait = new AtomicLong();
        final ReentrantLock lock = new ReentrantLock();

        Counter(int mode, boolean awaitInside) {
            this.mode = mode;
            this.awaitInside = awaitInside;
        }

        /** racy: a read, the work, a write of what was read plus one (with
         * await_inside, Thread.yield between); locked: the same under a
         * ReentrantLock (which does not pin a virtual thread's carrier),
         * its waits timed; atomic: the work, then incrementAndGet. */
        void update(int i) {
            if (mode == ATOMIC) {
                work(i);
                value.incrementAndGet();
                return;
            }
            boolean locked = mode == LOCKED;
            if (locked && !lock.tryLock()) {
                long s = System.nanoTime();
                lock.lock();
                lockWait.addAndGet(System.nanoTime() - s);
            }
            try {
                long read = value.get();
                work(i);
                if (awaitInside) Thread.yield();
                value.set(read + 1);
            } finally {
                if (locked) lock.unlock();
            }
        }
    }

    // --------------------------------------------------------------- tasks

    static final List<String> failures = new ArrayList<>();

    static void work(int i) {
        long cost = cpu[i];
        if (cost <= 0) return;
        long s = System.nanoTime();
        taskCpu[i] += burn(cost);
        span(i, 1, s, System.nanoTime());
    }

    static void task(int i) {
        try {
            runTask(i);
        } catch (Throwable e) {
            synchronized (failures) {
                failures.add("task " + i + ": " + e);
            }
        }
    }

    static void runTask(int i) throws IOException {
        long t = System.nanoTime();
        start[i] = t;
        int from = first[i], to = first[i + 1];
        if (from == to) {
            end[i] = t;
            return;
        }
        Socket socket = null;
        DataOutputStream out = null;
        DataInputStream in = null;
        try {
            if (tcp != null) {
                for (int k = from; k < to; k++) {
                    if (lat[k] > 0) {
                        int colon = tcp.lastIndexOf(':');
                        socket = new Socket(tcp.substring(0, colon), Integer.parseInt(tcp.substring(colon + 1)));
                        socket.setTcpNoDelay(true);
                        out = new DataOutputStream(socket.getOutputStream());
                        in = new DataInputStream(socket.getInputStream());
                        t = System.nanoTime();
                        break;
                    }
                }
            }
            Counter counter = counters[group[i]];
            for (int k = from; k < to; k++) {
                if (stop != 0 && (t = System.nanoTime()) - stop >= 0) return;
                long l = lat[k];
                if (l > 0) {
                    long s = System.nanoTime();
                    long due = s + l;
                    if (socket == null) {
                        t = sleepUntil(due);
                    } else {
                        out.writeLong(l);
                        out.flush();
                        try {
                            completed[k] = in.readLong();
                        } catch (EOFException e) {
                            throw new IOException("the delay server closed the connection");
                        }
                        t = System.nanoTime();
                    }
                    waitDeadline[k] = due;
                    resumed[k] = t;
                    span(i, 0, s, t);
                    if (stop != 0 && t - stop >= 0) return;
                }
                if (counter != null) counter.update(i);
                else work(i);
                if (counter != null || cpu[i] > 0) t = System.nanoTime();
            }
            end[i] = t;
        } finally {
            if (socket != null) socket.close();
        }
    }

    /** A task to run; a class, not a lambda: a lambda's first use spins a
     * class at run time (tens of ms), inside wall time. */
    static final class TaskRun implements Runnable {
        final int i;

        TaskRun(int i) {
            this.i = i;
        }

        public void run() {
            task(i);
        }
    }

    interface Hand {
        void hand(int i);
    }

    /** Hands the tasks out in order, each once it is due, until the stop. */
    static void dispatch(long t0, Hand hand) {
        for (int i : order) {
            if (due[i] > 0) {
                long at = t0 + due[i];
                if (stop != 0 && at - stop >= 0) return;
                sleepUntil(at);
            }
            if (stop != 0 && System.nanoTime() - stop >= 0) return;
            hand.hand(i);
        }
    }

    static void runPlatform(long t0) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        dispatch(t0, new Hand() {
            public void hand(int i) {
                Thread t = new Thread(new TaskRun(i));
                threads.add(t);
                t.start();
            }
        });
        for (Thread t : threads) t.join();
    }

    static void runExecutor(ExecutorService pool, long t0) throws InterruptedException {
        dispatch(t0, new Hand() {
            public void hand(int i) {
                pool.execute(new TaskRun(i));
            }
        });
        pool.shutdown();
        while (!pool.awaitTermination(1, TimeUnit.HOURS)) {
            // keep waiting
        }
    }

    /** Executors.newVirtualThreadPerTaskExecutor(), or why there is none. */
    static ExecutorService virtualExecutor() {
        try {
            Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        } catch (NoSuchMethodException e) {
            throw new Refuse("java-virtual needs virtual threads (Java 21 or later); this JVM is Java "
                    + System.getProperty("java.version"));
        } catch (ReflectiveOperationException e) {
            throw new Fail("cannot make a virtual-thread executor: " + e);
        }
    }

    /** What virtual threads need: Thread.isVirtual, and the carrier-finding
     * method when a burst will need it. */
    static void prepareVirtual(boolean bursts) {
        try {
            isVirtualMethod = Thread.class.getMethod("isVirtual");
        } catch (NoSuchMethodException e) {
            throw new Refuse("java-virtual needs virtual threads (Java 21 or later); this JVM is Java "
                    + System.getProperty("java.version"));
        }
        if (!bursts) return;
        try {
            Method m = Thread.class.getDeclaredMethod("currentCarrierThread");
            m.setAccessible(true);
            currentCarrier = m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new Refuse("a virtual thread has no CPU clock of its own, and its carrier thread's "
                    + "cannot be reached (" + e + "); start the runner with --add-opens "
                    + "java.base/java.lang=ALL-UNNAMED");
        }
    }

    // --------------------------------------------------------------- reply

    static String runtimeJson() {
        return "{\"name\":\"java\",\"version\":" + quote(System.getProperty("java.version"))
                + ",\"implementation\":" + quote(System.getProperty("java.vm.name") + " ("
                + System.getProperty("java.vendor") + ")") + "}";
    }

    static String quote(String s) {
        if (s == null) s = "";
        StringBuilder out = new StringBuilder("\"");
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    /** CPU time, context switches and peak RSS so far, from /proc: the
     * JVM's start-up (its JIT and GC threads included). */
    static String usage() {
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/self/stat")), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long tick = 10_000_000L; // USER_HZ is 100 on Linux
            long user = Long.parseLong(f[11]) * tick, sys = Long.parseLong(f[12]) * tick;
            long voluntary = 0, involuntary = 0, peak = 0;
            try (var tasks = Files.list(Paths.get("/proc/self/task"))) {
                for (var dir : (Iterable<java.nio.file.Path>) tasks::iterator) {
                    for (String line : Files.readAllLines(dir.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) voluntary += field(line);
                        else if (line.startsWith("nonvoluntary_ctxt_switches:")) involuntary += field(line);
                    }
                }
            }
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) peak = field(line);
            }
            return "{\"user_ns\":" + user + ",\"sys_ns\":" + sys + ",\"ctx_voluntary\":" + voluntary
                    + ",\"ctx_involuntary\":" + involuntary + ",\"peak_rss_kb\":" + peak + "}";
        } catch (IOException | RuntimeException e) {
            return "null";
        }
    }

    static long field(String line) {
        String[] words = line.trim().split("\\s+");
        return Long.parseLong(words[1]);
    }

    static void writeReply(OutputStream stdout, long t0, String before) throws IOException {
        OutputStream w = new BufferedOutputStream(stdout, 1 << 16);
        StringBuilder s = new StringBuilder(1 << 17);
        s.append("{\"protocol\":").append(PROTOCOL).append(",\"runtime\":").append(runtimeJson())
                .append(",\"t0\":").append(t0).append(",\"startup_usage\":").append(before).append(",\"tasks\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) s.append(',');
            s.append("{\"start\":").append(start[i]).append(",\"end\":").append(end[i]).append(",\"waits\":[");
            boolean firstWait = true;
            for (int k = first[i]; k < first[i + 1]; k++) {
                if (waitDeadline[k] == 0) continue;
                if (!firstWait) s.append(',');
                firstWait = false;
                long done = completed == null ? waitDeadline[k] : completed[k];
                s.append('[').append(waitDeadline[k]).append(',').append(done).append(',').append(resumed[k]).append(']');
            }
            s.append("],\"cpu_ns\":").append(taskCpu[i]).append(",\"spans\":[");
            if (spans != null && spans[i] != null) {
                boolean firstSpan = true;
                for (long[] sp : spans[i]) {
                    if (!firstSpan) s.append(',');
                    firstSpan = false;
                    s.append("[\"").append(SPAN_KINDS[(int) sp[0]]).append("\",").append(sp[1]).append(',')
                            .append(sp[2]).append(',').append(sp[3]).append(']');
                }
            }
            s.append("]}");
            if (s.length() > 60000) {
                w.write(s.toString().getBytes(StandardCharsets.US_ASCII));
                s.setLength(0);
            }
        }
        s.append("],\"shared\":[");
        for (int g = 0; g < counters.length; g++) {
            if (g > 0) s.append(',');
            Counter c = counters[g];
            if (c == null) s.append("null");
            else s.append("{\"final\":").append(c.value.get()).append(",\"lock_wait_ns\":").append(c.lockWait.get()).append('}');
        }
        s.append("]}\n");
        w.write(s.toString().getBytes(StandardCharsets.UTF_8));
        w.flush();
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        byte[] buf = new byte[1 << 16];
        for (int got; (got = in.read(buf)) > 0; ) out.write(buf, 0, got);
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- main

    public static void main(String[] args) throws Exception {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        if (args.length > 0 && args[0].equals("--probe")) {
            boolean virtual;
            try {
                Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
                virtual = true;
            } catch (NoSuchMethodException e) {
                virtual = false;
            }
            String line = "{\"feature\":" + Runtime.version().feature() + ",\"version\":"
                    + quote(System.getProperty("java.version")) + ",\"vendor\":" + quote(System.getProperty("java.vendor"))
                    + ",\"virtual\":" + virtual + "}\n";
            stdout.write(line.getBytes(StandardCharsets.UTF_8));
            stdout.flush();
            System.exit(0);
        }
        try {
            read(readAll(System.in));
            makeRecords();
            boolean anyCpu = false;
            for (long c : cpu) anyCpu |= c > 0;
            final boolean anyCpuFinal = anyCpu;
            ExecutorService pool = null;
            if (model.equals("virtual")) {
                prepareVirtual(anyCpu);
                pool = virtualExecutor();
            } else if (model.equals("fixed-pool")) {
                pool = Executors.newFixedThreadPool(workers);
            }
            // Before t0, as a warmed-up runtime would have done already: the
            // JIT compiles the burst, and virtual threads' scheduler and
            // classes are loaded by a first virtual thread.
            if (anyCpu) burn(2_000_000);
            if (pool != null && model.equals("virtual")) {
                pool.submit(() -> {
                    if (anyCpuFinal) burn(2_000_000);
                    LockSupport.parkNanos(1000);
                }).get();
            }
            if (tcp != null) Class.forName("java.net.Socket");
            System.gc();
            String before = usage();
            long t0 = System.nanoTime();
            if (stopAfter >= 0) stop = t0 + stopAfter;
            if (deadline >= 0 && (stop == 0 || deadline - stop < 0)) stop = deadline;
            if (model.equals("platform-threads")) runPlatform(t0);
            else runExecutor(pool, t0);
            if (!failures.isEmpty()) throw new Fail(String.join("\n", failures));
            writeReply(stdout, t0, before);
            stdout.flush();
            Runtime.getRuntime().halt(0);
        } catch (Refuse e) {
            String line = "{\"protocol\":" + PROTOCOL + ",\"refused\":" + quote(e.getMessage()) + ",\"runtime\":"
                    + runtimeJson() + "}\n";
            stdout.write(line.getBytes(StandardCharsets.UTF_8));
            stdout.flush();
            Runtime.getRuntime().halt(3);
        } catch (Fail e) {
            System.err.println("conlab java runner: " + e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(1);
        } catch (OutOfMemoryError e) {
            System.err.println("conlab java runner: out of memory: " + e.getMessage()
                    + " (give the JVM more heap, or run fewer tasks)");
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }
}
