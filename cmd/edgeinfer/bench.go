package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// benchResult is what `edgeinfer bench -json` prints.
type benchResult struct {
	Model   string `json:"model"`
	Threads int    `json:"threads"`
	// Precision is the arithmetic the convolutions ran with: "fp16" only
	// when asked for and the CPU has it.
	Precision    string  `json:"precision"`
	Runs         int     `json:"runs"`
	MedianMS     float64 `json:"median_ms"`
	P90MS        float64 `json:"p90_ms"`
	MinMS        float64 `json:"min_ms"`
	AllocsPerRun float64 `json:"allocs_per_run"`
	BytesPerRun  float64 `json:"bytes_per_run"`
	ArenaBytes   int64   `json:"arena_bytes"`
	ScratchBytes int64   `json:"scratch_bytes"`
	// TransformedBytes is what transformed weights take beyond the
	// weights (runtime.PlanInfo.TransformedBytes).
	TransformedBytes int64   `json:"transformed_bytes"`
	PeakRSSBytes     int64   `json:"peak_rss_bytes"`
	LoadMS           float64 `json:"load_ms"`
	// Shapes are the input shapes run, by input name.
	Shapes map[string][]int `json:"shapes"`
	// Profile is the per-step timing -profile asks for.
	Profile *benchProfile `json:"profile,omitempty"`
}

// cmdBench times repeated runs of a model on a synthetic input. Inputs
// with dimensions of unknown size (symbolic ones) need -shape.
func cmdBench(args []string, w io.Writer) error {
	fs := newFlags("bench")
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads")
	runs := fs.Int("runs", 20, "timed runs")
	warmup := fs.Int("warmup", 3, "untimed warm-up runs")
	asJSON := fs.Bool("json", false, "print one JSON object")
	precision := precisionFlag(fs)
	profile := fs.Bool("profile", false, "time every step over -runs more runs and print them, slowest first")
	var memLimit byteSize
	fs.Var(&memLimit, "memory-limit", "bound the plan's memory (weights, their transformed forms, arena, scratch): bytes, or a number with KiB, MiB or GiB; 0 keeps the default (runtime.DefaultLimits)")
	var shapes shapeFlags
	fs.Var(&shapes, "shape", "an input's shape, NAME:1x3x224x224 (repeat per input; the dims alone for a model with one input)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("bench: want one MODEL.onnx, got %d arguments", len(pos))
	}
	if *runs < 1 || *warmup < 0 || *threads < 1 {
		return fmt.Errorf("bench: -runs must be >= 1, -warmup >= 0, -threads >= 1")
	}
	prec, err := parsePrecision(*precision)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	t0 := time.Now()
	opts := []runtime.Option{runtime.WithThreads(*threads), runtime.WithPrecision(prec)}
	if memLimit > 0 {
		opts = append(opts, runtime.WithMemoryLimit(int64(memLimit)))
	}
	m, err := runtime.Load(pos[0], opts...)
	if err != nil {
		return err
	}
	defer m.Close()
	load := time.Since(t0)
	ps, err := inputShapes(m.Inputs(), shapes)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if len(ps.unsized) > 0 {
		return fmt.Errorf("%s: symbolic dims have no size (%s): give them with %s, a size for each ?",
			pos[0], strings.Join(ps.unsized, ", "), ps.hint)
	}
	// Planning first checks the shapes against the model and the limits
	// before any input is allocated.
	pi, err := m.Plan(ps.shapes)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	inputs, err := syntheticInputs(m, ps.shapes)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	s := m.NewSession()
	ctx := context.Background()
	for i := 0; i < *warmup; i++ {
		if _, err := s.Run(ctx, inputs); err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
	}
	times := make([]float64, *runs)
	var ms0, ms1 goruntime.MemStats
	goruntime.ReadMemStats(&ms0)
	for i := range times {
		t := time.Now()
		if _, err := s.Run(ctx, inputs); err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		times[i] = float64(time.Since(t).Microseconds()) / 1000
	}
	goruntime.ReadMemStats(&ms1)
	var prof *runtime.Profile
	if *profile {
		prof = new(runtime.Profile)
		for range *runs {
			if _, err := s.RunProfiled(ctx, inputs, prof); err != nil {
				return fmt.Errorf("%s: %w", pos[0], err)
			}
		}
	}
	sort.Float64s(times)
	r := benchResult{
		Model: pos[0], Threads: *threads, Runs: *runs, Precision: s.Precision().String(),
		MedianMS:         median(times),
		P90MS:            times[min(len(times)-1, int(math.Ceil(0.9*float64(len(times))))-1)],
		MinMS:            times[0],
		AllocsPerRun:     float64(ms1.Mallocs-ms0.Mallocs) / float64(*runs),
		BytesPerRun:      float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(*runs),
		PeakRSSBytes:     peakRSS(),
		LoadMS:           float64(load.Microseconds()) / 1000,
		ArenaBytes:       pi.ArenaBytes,
		ScratchBytes:     pi.ScratchBytes,
		TransformedBytes: pi.TransformedBytes,
		Shapes:           ps.byName(m.Inputs()),
	}
	if prof != nil {
		r.Profile = profileReport(prof)
	}
	if *asJSON {
		return json.NewEncoder(w).Encode(r)
	}
	fmt.Fprintf(w, "model     %s (load %.1f ms)\n", r.Model, r.LoadMS)
	fmt.Fprintf(w, "inputs    %s\n", strings.Join(ps.formatted(m.Inputs()), " "))
	fmt.Fprintf(w, "threads   %d, %d runs after %d warm-up\n", r.Threads, r.Runs, *warmup)
	if prec != runtime.FP32 || s.Precision() != runtime.FP32 {
		note := ""
		if s.Precision() != prec {
			note = fmt.Sprintf(" (%s asked for: this CPU has no fp16 arithmetic)", prec)
		}
		fmt.Fprintf(w, "precision %s%s\n", s.Precision(), note)
	}
	fmt.Fprintf(w, "latency   median %.2f ms, p90 %.2f ms, min %.2f ms\n", r.MedianMS, r.P90MS, r.MinMS)
	fmt.Fprintf(w, "allocs    %.1f per run (%s)\n", r.AllocsPerRun, humanBytes(int64(r.BytesPerRun)))
	fmt.Fprintf(w, "arena     %s, scratch %s (per session); transformed weights %s\n", humanBytes(r.ArenaBytes), humanBytes(r.ScratchBytes), humanBytes(r.TransformedBytes))
	fmt.Fprintf(w, "peak RSS  %s\n", humanBytes(r.PeakRSSBytes))
	if r.Profile != nil {
		printProfile(w, r.Profile)
	}
	return nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// syntheticInputs makes one input per model input, of the given shapes:
// float data is x[i] = sin(i*0.001)*1.5, the reference kit's default input,
// so timings and outputs compare with ONNX Runtime's on the same data.
func syntheticInputs(m *runtime.Model, shapes [][]int) ([]*ops.Tensor, error) {
	var out []*ops.Tensor
	for i, in := range m.Inputs() {
		shape := shapes[i]
		typ := in.Type
		if typ == onnx.Float16 || typ == onnx.BFloat16 {
			typ = onnx.Float
		}
		if !ops.Supported(typ) {
			return nil, fmt.Errorf("input %q has type %s: no synthetic data for it", in.Name, ops.TypeName(in.Type))
		}
		t := ops.New(typ, shape...)
		if typ == onnx.Float {
			for i := range t.F32() {
				t.F32()[i] = float32(math.Sin(float64(i)*0.001) * 1.5)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// peakRSS is the process's peak resident set size (VmHWM), 0 where unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}
