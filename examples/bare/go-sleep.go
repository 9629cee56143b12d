// The bare Go program that conlab's `go-goroutines` model stands for:
// TASKS goroutines started at once, each sleeping LATENCY_NS with
// time.Sleep, then waited for with a sync.WaitGroup. The idiom itself,
// nothing of conlab's runner.
//
//	go build -o go-sleep examples/bare/go-sleep.go
//	/usr/bin/time -f '%e s %M KB' ./go-sleep TASKS LATENCY_NS
//
// It prints one JSON line: wall time from just before the first goroutine
// is started until the last one has ended, the peak RSS (getrusage), and
// how late the goroutines woke after their deadlines (median and
// maximum, in µs; one int32 per task is kept for them, 4 MB at a million).
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-sleep TASKS LATENCY_NS")
		os.Exit(2)
	}
	tasks, err1 := strconv.Atoi(os.Args[1])
	latency, err2 := strconv.ParseInt(os.Args[2], 10, 64)
	if err1 != nil || err2 != nil || tasks < 0 || latency < 0 {
		fmt.Fprintln(os.Stderr, "usage: go-sleep TASKS LATENCY_NS")
		os.Exit(2)
	}
	wakes := make([]int32, tasks)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < tasks; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			deadline := time.Now().Add(time.Duration(latency))
			time.Sleep(time.Duration(latency))
			wakes[i] = int32(time.Since(deadline) / time.Microsecond)
		}(i)
	}
	wg.Wait()
	wall := time.Since(t0)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	sort.Slice(wakes, func(a, b int) bool { return wakes[a] < wakes[b] })
	p50, max := int32(0), int32(0)
	if tasks > 0 {
		p50, max = wakes[tasks/2], wakes[tasks-1]
	}
	fmt.Printf("{\"tasks\":%d,\"wall_ms\":%.3f,\"peak_rss_kb\":%d,\"wake_p50_us\":%d,\"wake_max_us\":%d}\n",
		tasks, float64(wall)/1e6, ru.Maxrss, p50, max)
}
