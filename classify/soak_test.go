package classify

import (
	"bytes"
	"flag"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var soak = flag.Duration("soak", 2*time.Second, "how long TestSoak runs its daemon (e.g. -soak 10m)")

// rssKiB reads the process's resident set from /proc (0 where there is none).
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// TestSoak runs a small daemon: 4 goroutines sharing the built-in
// classifier, two classifying decoded frames (image.Image) and two
// decoding and classifying a photo file, for -soak. Frames allocate
// nothing; the resident set and the live heap stay flat after warm-up.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("a daemon run: skipped in -short mode")
	}
	c := builtIn(t)
	frame := chelsea(t)
	photo, err := os.ReadFile("testdata/chelsea.png")
	if err != nil {
		t.Fatal(err)
	}
	var frames, files atomic.Int64
	worker := func(stop <-chan struct{}, fromFile bool) {
		var res Result
		for {
			select {
			case <-stop:
				return
			default:
			}
			var err error
			if fromFile {
				err = c.ClassifyReader(ctx, bytes.NewReader(photo), "chelsea.png", &res)
				files.Add(1)
			} else {
				err = c.Classify(ctx, frame, &res)
				frames.Add(1)
			}
			if err != nil || res.Top[0].Index != 285 {
				t.Errorf("%+v, %v", res.Top, err)
				return
			}
		}
	}
	run := func(d time.Duration) {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() { worker(stop, i%2 == 1) })
		}
		time.Sleep(d)
		close(stop)
		wg.Wait()
	}
	run(min(max(*soak/10, 3*time.Second), 30*time.Second)) // warm-up: plans, pools, decoder buffers
	var ms goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&ms)
	heap0, rss0 := ms.HeapAlloc, rssKiB()
	var mu sync.Mutex
	var samples []int64 // RSS each second
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				mu.Lock()
				samples = append(samples, rssKiB())
				mu.Unlock()
			}
		}
	}()
	frames.Store(0)
	files.Store(0)
	run(*soak)
	close(done)
	goruntime.GC()
	goruntime.ReadMemStats(&ms)
	heap1, rss1 := ms.HeapAlloc, rssKiB()
	mu.Lock()
	defer mu.Unlock()
	quarter, peak := rss0, rss0
	if len(samples) > 0 {
		quarter = samples[len(samples)/4]
	}
	for _, r := range samples {
		peak = max(peak, r)
	}
	t.Logf("%v: %d frames, %d files; live heap %d -> %d KiB; RSS after warm-up %d KiB, at a quarter %d, at the end %d, peak %d",
		*soak, frames.Load(), files.Load(), heap0>>10, heap1>>10, rss0, quarter, rss1, peak)
	if heap1 > heap0+heap0/5+1<<20 {
		t.Errorf("live heap grew from %d to %d KiB", heap0>>10, heap1>>10)
	}
	// The resident set settles as the garbage collector's pacing and the
	// session's run states reach their steady state; from a quarter of a
	// long run on it must stay flat.
	if *soak >= time.Minute && rss1 > quarter+quarter/10+16<<10 {
		t.Errorf("RSS grew from %d KiB (a quarter in) to %d KiB", quarter, rss1)
	}
}
