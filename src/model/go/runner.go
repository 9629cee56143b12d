// conlab's Go runner: runs one job of a go-* model and reports when each
// task started and ended, how late each IO wait ended and, if asked, every
// IO wait and CPU burst. It speaks the runner protocol (version 5): the job
// arrives as JSON on stdin, the reply leaves as one line of JSON on
// stdout. Nothing from an experiment file is ever part of this program,
// only data. One file, the standard library only, Go 1.19 or later;
// conlab builds it on first use into its cache directory.
//
// Models (the request's `model`):
//
//	goroutines      one goroutine per task; `workers` sets GOMAXPROCS, the
//	                OS threads that run Go code at once (N:M);
//	goroutine-pool  `workers` goroutines take tasks in dispatch order from
//	                a channel, each running one task at a time, start to
//	                end; GOMAXPROCS stays Go's default (the usable cores).
//
// Every timestamp is ns on CLOCK_MONOTONIC. Go's own clock (time.Now's
// monotonic reading, runtime.nanotime) is CLOCK_MONOTONIC on Linux; the
// runner reads the absolute value once (clock_gettime) beside a
// time.Time, and every later time is that plus time.Since.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const protocol = 5

// ---------------------------------------------------------------- clock

var (
	baseMono uint64
	baseTime time.Time
)

func clockGettime(clock uintptr) uint64 {
	var ts syscall.Timespec
	_, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clock, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0
	}
	return uint64(ts.Sec)*1e9 + uint64(ts.Nsec)
}

const (
	clockMonotonic     = 1
	clockThreadCputime = 3
)

func initClock() {
	// The read nearest in time to time.Now of three: the two clocks then
	// agree within the cost of one read.
	best := time.Duration(1 << 62)
	for k := 0; k < 3; k++ {
		before := time.Now()
		mono := clockGettime(clockMonotonic)
		took := time.Since(before)
		if took < best {
			best = took
			baseTime = before.Add(took / 2)
			baseMono = mono
		}
	}
}

// now is the absolute time on CLOCK_MONOTONIC, in ns.
func now() uint64 {
	return baseMono + uint64(time.Since(baseTime))
}

// sleepUntil waits until CLOCK_MONOTONIC has reached deadline: never
// early, time.Sleep re-armed until the clock says so.
func sleepUntil(deadline uint64) uint64 {
	for {
		t := now()
		if t >= deadline {
			return t
		}
		time.Sleep(time.Duration(deadline - t))
	}
}

// ---------------------------------------------------------------- CPU

// threadCPU is the calling OS thread's CPU clock, in ns.
func threadCPU() uint64 {
	return clockGettime(clockThreadCputime)
}

var sink uint32 = 1

func compute(iterations int, x uint32) uint32 {
	for k := 0; k < iterations; k++ {
		x = x*1103515245 + 12345
	}
	return x
}

const (
	maxSliceNs = 200000
	minSliceNs = 4000
)

// burn computes on this goroutine, locked to its OS thread, until the
// thread's CPU clock has advanced by cost ns; returns how far it advanced.
// Locked, the goroutine is the only one its thread runs, so the thread's
// clock is the goroutine's: time preempted does not count.
func burn(cost uint64) uint64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	readCost := ^uint64(0)
	last := threadCPU()
	for k := 0; k < 4; k++ {
		next := threadCPU()
		if next-last < readCost {
			readCost = next - last
		}
		last = next
	}
	began := last
	before := last
	end := began + cost
	x := sink
	rate := 0.0
	iterations := 1000
	for {
		x = compute(iterations, x)
		after := threadCPU()
		took := float64(after-before) - float64(readCost)
		if took > 2*float64(readCost) && took > 0 {
			r := float64(iterations) / took
			if rate == 0 {
				rate = r
			} else {
				rate = 0.5*rate + 0.5*r
			}
		}
		before = after
		if before >= end || end-before <= readCost/2 {
			break
		}
		usable := float64(end-before) - float64(readCost)
		slice := usable / 2
		if usable < 2*minSliceNs {
			slice = usable
		} else if slice > maxSliceNs {
			slice = maxSliceNs
		}
		if slice <= 0 || rate == 0 {
			iterations = 1000
		} else {
			iterations = int(slice * rate)
		}
	}
	atomic.StoreUint32(&sink, x)
	return before - began
}

// ---------------------------------------------------------------- the job

type group struct {
	Shared      string `json:"shared"`
	AwaitInside bool   `json:"await_inside"`
}

type request struct {
	Protocol   *int       `json:"protocol"`
	Model      string     `json:"model"`
	Workers    int        `json:"workers"`
	CPU        []uint64   `json:"cpu_ns"`
	Latencies  [][]uint64 `json:"latencies"`
	Timeline   bool       `json:"timeline"`
	TCP        *string    `json:"tcp"`
	Due        []uint64   `json:"due"`
	Order      []int      `json:"order"`
	StopAfter  *uint64    `json:"stop_after"`
	Deadline   *uint64    `json:"deadline"`
	Groups     []group    `json:"groups"`
	TaskGroups []int      `json:"task_groups"`
}

const (
	none = iota
	racy
	locked
	atomicMode
)

// The job, flat: round r of task i is first[i] + its round.
type job struct {
	model    string
	workers  int
	n        int
	first    []int32
	lat      []uint64
	cpu      []uint64
	due      []uint64
	order    []int32
	group    []int32
	counters []*counter
	timeline bool
	tcp      string
	stop     uint64 // absolute; 0: none
}

type span struct {
	kind       string
	start, end uint64
	tid        int
}

type records struct {
	start, end                   []uint64
	deadline, completed, resumed []uint64
	cpu                          []uint64
	spans                        [][]span
}

type counter struct {
	mode        int
	awaitInside bool
	value       uint64
	mu          sync.Mutex
	lockWait    uint64
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "conlab go runner: "+format+"\n", args...)
	os.Exit(1)
}

func runtimeJSON() string {
	return fmt.Sprintf(`{"name":"go","version":%q}`, runtime.Version())
}

func refuse(why string) {
	reply, _ := json.Marshal(why)
	fmt.Fprintf(os.Stdout, `{"protocol":%d,"refused":%s,"runtime":%s}`+"\n", protocol, reply, runtimeJSON())
	os.Exit(3)
}

func compact(req *request) *job {
	n := len(req.Latencies)
	perTask := func(name string, got int) {
		if got != n {
			fail("the job's %q must be a list of %d entries, one per task", name, n)
		}
	}
	perTask("cpu_ns", len(req.CPU))
	perTask("due", len(req.Due))
	perTask("order", len(req.Order))
	perTask("task_groups", len(req.TaskGroups))
	if len(req.Groups) == 0 {
		fail(`the job needs a "groups" list`)
	}
	j := &job{model: req.Model, workers: req.Workers, n: n, timeline: req.Timeline}
	if j.workers < 1 {
		j.workers = 1
	}
	j.first = make([]int32, n+1)
	rounds := 0
	for i, l := range req.Latencies {
		j.first[i] = int32(rounds)
		rounds += len(l)
	}
	j.first[n] = int32(rounds)
	j.lat = make([]uint64, 0, rounds)
	for _, l := range req.Latencies {
		j.lat = append(j.lat, l...)
	}
	// The job's lists in the smallest form that says the same: a million
	// tasks' records sit beside the goroutines' stacks for the whole run.
	j.cpu = make([]uint64, n)
	copy(j.cpu, req.CPU)
	j.due = make([]uint64, n)
	copy(j.due, req.Due)
	seen := make([]bool, n)
	for _, i := range req.Order {
		if i < 0 || i >= n || seen[i] {
			fail(`the job's "order" must hand out every task once`)
		}
		seen[i] = true
	}
	j.order = make([]int32, n)
	for k, i := range req.Order {
		j.order[k] = int32(i)
	}
	for i, g := range req.TaskGroups {
		if g < 0 || g >= len(req.Groups) {
			fail("task %d's group %d is not among the job's %d", i, g, len(req.Groups))
		}
	}
	j.group = make([]int32, n)
	for i, g := range req.TaskGroups {
		j.group[i] = int32(g)
	}
	for i, g := range req.Groups {
		var mode int
		switch g.Shared {
		case "none":
			j.counters = append(j.counters, nil)
			continue
		case "racy":
			mode = racy
		case "locked":
			mode = locked
		case "atomic":
			mode = atomicMode
		default:
			fail(`group %d's "shared" must be none, racy, locked or atomic`, i)
		}
		j.counters = append(j.counters, &counter{mode: mode, awaitInside: g.AwaitInside})
	}
	if req.TCP != nil {
		j.tcp = *req.TCP
	}
	return j
}

func makeRecords(j *job) *records {
	r := &records{
		start:    make([]uint64, j.n),
		end:      make([]uint64, j.n),
		deadline: make([]uint64, len(j.lat)),
		resumed:  make([]uint64, len(j.lat)),
		cpu:      make([]uint64, j.n),
	}
	if j.tcp != "" {
		r.completed = make([]uint64, len(j.lat))
	}
	if j.timeline {
		r.spans = make([][]span, j.n)
	}
	return r
}

// ---------------------------------------------------------------- counters

// update runs one round's work inside the counter's update:
//
//	racy:   an atomic load, the work, an atomic store of what was read plus
//	        one: another goroutine's update in between is lost (a real lost
//	        update, not a data race); with await_inside, runtime.Gosched
//	        between the work and the store;
//	locked: the same under a sync.Mutex, its waits timed;
//	atomic: the work, then atomic.AddUint64.
func (c *counter) update(work func()) {
	switch c.mode {
	case atomicMode:
		work()
		atomic.AddUint64(&c.value, 1)
	case racy:
		read := atomic.LoadUint64(&c.value)
		work()
		if c.awaitInside {
			runtime.Gosched()
		}
		atomic.StoreUint64(&c.value, read+1)
	case locked:
		if !c.mu.TryLock() {
			s := now()
			c.mu.Lock()
			atomic.AddUint64(&c.lockWait, now()-s)
		}
		read := atomic.LoadUint64(&c.value)
		work()
		if c.awaitInside {
			runtime.Gosched()
		}
		atomic.StoreUint64(&c.value, read+1)
		c.mu.Unlock()
	}
}

// ---------------------------------------------------------------- tasks

type runner struct {
	j        *job
	r        *records
	failMu   sync.Mutex
	failures []string
}

func (run *runner) failed(i int, err error) {
	run.failMu.Lock()
	run.failures = append(run.failures, fmt.Sprintf("task %d: %v", i, err))
	run.failMu.Unlock()
}

func (run *runner) span(i int, kind string, s, e uint64) {
	if run.r.spans != nil {
		run.r.spans[i] = append(run.r.spans[i], span{kind, s, e, syscall.Gettid()})
	}
}

func (run *runner) work(i int) {
	cost := run.j.cpu[i]
	if cost == 0 {
		return
	}
	s := now()
	run.r.cpu[i] += burn(cost)
	run.span(i, "cpu", s, now())
}

func (run *runner) task(i int) {
	j, r := run.j, run.r
	t := now()
	r.start[i] = t
	from, to := j.first[i], j.first[i+1]
	if from == to {
		r.end[i] = t
		return
	}
	var conn net.Conn
	if j.tcp != "" {
		for k := from; k < to; k++ {
			if j.lat[k] > 0 {
				c, err := net.Dial("tcp", j.tcp)
				if err != nil {
					run.failed(i, err)
					return
				}
				conn = c
				defer conn.Close()
				t = now()
				break
			}
		}
	}
	var buf [8]byte
	for k := from; k < to; k++ {
		if j.stop != 0 {
			if t = now(); t >= j.stop {
				return
			}
		}
		if l := j.lat[k]; l > 0 {
			s := now()
			deadline := s + l
			if conn == nil {
				t = sleepUntil(deadline)
			} else {
				binary.BigEndian.PutUint64(buf[:], l)
				if _, err := conn.Write(buf[:]); err != nil {
					run.failed(i, err)
					return
				}
				if _, err := io.ReadFull(conn, buf[:]); err != nil {
					if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
						err = errors.New("the delay server closed the connection")
					}
					run.failed(i, err)
					return
				}
				r.completed[k] = binary.BigEndian.Uint64(buf[:])
				t = now()
			}
			r.deadline[k] = deadline
			r.resumed[k] = t
			run.span(i, "io", s, t)
			if j.stop != 0 && t >= j.stop {
				return
			}
		}
		if c := j.counters[j.group[i]]; c != nil {
			c.update(func() { run.work(i) })
		} else {
			run.work(i)
		}
		if j.cpu[i] > 0 || j.counters[j.group[i]] != nil {
			t = now()
		}
	}
	r.end[i] = t
}

// dispatch hands the tasks out in order, each once it is due, to hand;
// it stops at the run's stop.
func (run *runner) dispatch(t0 uint64, hand func(i int)) {
	j := run.j
	for _, i32 := range j.order {
		i := int(i32)
		if due := j.due[i]; due > 0 {
			at := t0 + due
			if j.stop != 0 && at >= j.stop {
				return
			}
			sleepUntil(at)
		}
		if j.stop != 0 && now() >= j.stop {
			return
		}
		hand(i)
	}
}

func (run *runner) goroutines(t0 uint64) {
	var wg sync.WaitGroup
	run.dispatch(t0, func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.task(i)
		}()
	})
	wg.Wait()
}

func (run *runner) pool(t0 uint64) {
	tasks := make(chan int, run.j.n)
	var wg sync.WaitGroup
	for w := 0; w < run.j.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tasks {
				run.task(i)
			}
		}()
	}
	run.dispatch(t0, func(i int) { tasks <- i })
	close(tasks)
	wg.Wait()
}

// ---------------------------------------------------------------- reply

func usage() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "null"
	}
	ns := func(tv syscall.Timeval) int64 { return tv.Sec*1e9 + int64(tv.Usec)*1e3 }
	return fmt.Sprintf(`{"user_ns":%d,"sys_ns":%d,"ctx_voluntary":%d,"ctx_involuntary":%d,"peak_rss_kb":%d}`,
		ns(ru.Utime), ns(ru.Stime), ru.Nvcsw, ru.Nivcsw, ru.Maxrss)
}

func writeReply(j *job, r *records, t0 uint64, before string) {
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	fmt.Fprintf(w, `{"protocol":%d,"runtime":%s,"t0":%d,"startup_usage":%s,"tasks":[`, protocol, runtimeJSON(), t0, before)
	b := make([]byte, 0, 256)
	for i := 0; i < j.n; i++ {
		b = b[:0]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":`...)
		b = strconv.AppendUint(b, r.start[i], 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendUint(b, r.end[i], 10)
		b = append(b, `,"waits":[`...)
		firstWait := true
		for k := j.first[i]; k < j.first[i+1]; k++ {
			if r.deadline[k] == 0 {
				continue
			}
			if !firstWait {
				b = append(b, ',')
			}
			firstWait = false
			done := r.deadline[k]
			if r.completed != nil {
				done = r.completed[k]
			}
			b = append(b, '[')
			b = strconv.AppendUint(b, r.deadline[k], 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, done, 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, r.resumed[k], 10)
			b = append(b, ']')
		}
		b = append(b, `],"cpu_ns":`...)
		b = strconv.AppendUint(b, r.cpu[i], 10)
		b = append(b, `,"spans":[`...)
		if r.spans != nil {
			for s, sp := range r.spans[i] {
				if s > 0 {
					b = append(b, ',')
				}
				b = append(b, `["`...)
				b = append(b, sp.kind...)
				b = append(b, `",`...)
				b = strconv.AppendUint(b, sp.start, 10)
				b = append(b, ',')
				b = strconv.AppendUint(b, sp.end, 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(sp.tid), 10)
				b = append(b, ']')
			}
		}
		b = append(b, "]}"...)
		w.Write(b)
	}
	w.WriteString(`],"shared":[`)
	for g, c := range j.counters {
		if g > 0 {
			w.WriteByte(',')
		}
		if c == nil {
			w.WriteString("null")
		} else {
			fmt.Fprintf(w, `{"final":%d,"lock_wait_ns":%d}`, atomic.LoadUint64(&c.value), atomic.LoadUint64(&c.lockWait))
		}
	}
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		fail("cannot write the reply: %v", err)
	}
}

func main() {
	var req request
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("cannot read the job: %v", err)
	}
	if err := json.Unmarshal(input, &req); err != nil {
		fail("the job on stdin is not a JSON object of the runner protocol: %v", err)
	}
	input = nil
	if req.Protocol == nil || *req.Protocol != protocol {
		got := "none"
		if req.Protocol != nil {
			got = strconv.Itoa(*req.Protocol)
		}
		refuse(fmt.Sprintf("this runner speaks runner protocol %d, and the job is protocol %s", protocol, got))
	}
	if req.Model != "goroutines" && req.Model != "goroutine-pool" {
		refuse(fmt.Sprintf("this runner has no model %q (it has goroutines, goroutine-pool)", req.Model))
	}
	j := compact(&req)
	stopAfter, deadline := req.StopAfter, req.Deadline
	req = request{}
	r := makeRecords(j)
	if j.model == "goroutines" {
		runtime.GOMAXPROCS(j.workers)
	}
	initClock()
	// The parsed job's lists are garbage now: collected before t0, their
	// memory serves the tasks instead of adding to the peak beside them.
	debug.FreeOSMemory()
	before := usage()
	t0 := now()
	if stopAfter != nil {
		j.stop = t0 + *stopAfter
	}
	if deadline != nil && (j.stop == 0 || *deadline < j.stop) {
		j.stop = *deadline
	}
	run := &runner{j: j, r: r}
	if j.model == "goroutines" {
		run.goroutines(t0)
	} else {
		run.pool(t0)
	}
	if len(run.failures) > 0 {
		for _, f := range run.failures {
			fmt.Fprintln(os.Stderr, f)
		}
		fail("%d tasks failed", len(run.failures))
	}
	writeReply(j, r, t0, before)
	os.Exit(0)
}
