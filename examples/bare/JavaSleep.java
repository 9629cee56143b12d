// The bare Java programs that conlab's `java-virtual` and `java-threads`
// models stand for: TASKS virtual threads (one
// Executors.newVirtualThreadPerTaskExecutor, Java 21) or platform threads
// (new Thread each) started at once, each sleeping LATENCY_NS with
// Thread.sleep, then waited for. The idiom itself, nothing of conlab's
// runner. Compiled for Java 17 (virtual threads reached by reflection, so
// a JDK 17's javac compiles it and a Java 21 runtime runs it):
//
//   javac --release 17 -d /tmp/bare examples/bare/JavaSleep.java
//   /usr/bin/time -f '%e s %M KB' java -cp /tmp/bare JavaSleep virtual|platform TASKS LATENCY_NS
//
// It prints one JSON line: wall time from just before the first thread is
// started until the last one has ended, and how late the threads woke
// after their deadlines (median and maximum, µs; one int per task kept).

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

public final class JavaSleep {
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("virtual") || args[0].equals("platform"))) {
            System.err.println("usage: JavaSleep virtual|platform TASKS LATENCY_NS");
            System.exit(2);
        }
        int tasks = Integer.parseInt(args[1]);
        long latency = Long.parseLong(args[2]);
        int[] wakes = new int[tasks];
        long t0 = System.nanoTime();
        if (args[0].equals("virtual")) {
            ExecutorService pool = (ExecutorService) Executors.class
                    .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            for (int i = 0; i < tasks; i++) {
                final int k = i;
                pool.execute(() -> sleep(wakes, k, latency));
            }
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.HOURS);
        } else {
            List<Thread> threads = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                final int k = i;
                Thread t = new Thread(() -> sleep(wakes, k, latency));
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) t.join();
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        Arrays.sort(wakes);
        int p50 = tasks > 0 ? wakes[tasks / 2] : 0, max = tasks > 0 ? wakes[tasks - 1] : 0;
        System.out.println("{\"tasks\":" + tasks + ",\"wall_ms\":" + String.format("%.3f", wall)
                + ",\"wake_p50_us\":" + p50 + ",\"wake_max_us\":" + max + "}");
    }

    static void sleep(int[] wakes, int i, long latency) {
        long deadline = System.nanoTime() + latency;
        try {
            Thread.sleep(latency / 1_000_000, (int) (latency % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wakes[i] = (int) ((System.nanoTime() - deadline) / 1000);
    }
}
