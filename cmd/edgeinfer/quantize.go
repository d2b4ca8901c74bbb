package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/quantize"
)

// quantizeOutput is what `edgeinfer quantize -json` prints.
type quantizeOutput struct {
	Model       string `json:"model"`
	Output      string `json:"output"`
	ModelBytes  int64  `json:"model_bytes"`
	OutputBytes int64  `json:"output_bytes"`
	*quantize.Report
}

// cmdQuantize is `edgeinfer quantize`: post-training static quantization
// of a float model into a QDQ one.
func cmdQuantize(args []string, w, stderr io.Writer) error {
	fs := newFlags("quantize")
	out := fs.String("o", "", "the quantized model's file (required)")
	calib := fs.String("calib", "", "folder of calibration images (photos like those the model will see)")
	random := fs.Int("calib-random", 0, "calibrate on `N` synthetic images instead (to try the tool; real photos calibrate better)")
	seed := fs.Uint64("seed", 1, "seed of -calib-random's images")
	method := fs.String("method", quantize.MinMax.String(), "how activation ranges are chosen: minmax, percentile or entropy")
	percentile := fs.Float64("percentile", quantize.DefaultPercentile, "percentage of values -method percentile keeps")
	bins := fs.Int("bins", quantize.DefaultBins, "histogram bins of -method percentile and entropy")
	perChannel := fs.Bool("per-channel", false, "one weight scale per output channel (default: one per tensor)")
	exclude := fs.String("exclude", "", "nodes to leave in float, comma-separated (a node without a name goes by its first output)")
	preset := fs.String("preset", "auto", "preprocessing of the calibration images: auto (from the model) or "+strings.Join(preprocess.PresetNames(), ", "))
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads")
	worst := fs.Int("worst", 10, "how many layers to list, worst first (-1: all)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 || *out == "" {
		return errors.New("quantize: usage: edgeinfer " + commands["quantize"].synopsis)
	}
	if (*calib == "") == (*random == 0) {
		return errors.New("quantize: give calibration images with -calib DIR, or -calib-random N")
	}
	if *random < 0 || *threads < 1 {
		return errors.New("quantize: -calib-random and -threads must be at least 1")
	}
	opt := quantize.Options{Percentile: *percentile, Bins: *bins, PerChannel: *perChannel, Threads: *threads}
	if opt.Method, err = quantize.ParseMethod(*method); err != nil {
		return fmt.Errorf("-method: %w", err)
	}
	if *exclude != "" {
		for _, x := range strings.Split(*exclude, ",") {
			opt.Exclude = append(opt.Exclude, strings.TrimSpace(x))
		}
	}
	var src quantize.Source
	if *calib != "" {
		if src, err = quantize.ImageDir(*calib); err != nil {
			return err
		}
	} else {
		src = quantize.RandomImages(*random, *seed)
	}
	name := "the built-in SqueezeNet 1.0"
	var m *onnx.Model
	var size int64
	if len(pos) == 1 {
		name = pos[0]
		if m, err = onnx.Open(name); err != nil {
			return err
		}
		defer m.Close()
		if st, err := os.Stat(name); err == nil {
			size = st.Size()
		}
	} else if m, size, err = builtInModel(); err != nil {
		return err
	}
	if *preset != "auto" {
		p, err := preprocess.PresetByName(*preset)
		if err != nil {
			return fmt.Errorf("-preset: %w", err)
		}
		opt.Preset = &p
	}
	file, err := createAtomic(*out)
	if err != nil {
		return err
	}
	defer file.abort()
	opt.Progress = newProgressBar(stderr).update
	// Interrupted, it stops after the sample in progress and removes the
	// unfinished output.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := quantize.Quantize(ctx, m, src, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	b, err := onnx.Marshal(res.Model)
	if err != nil {
		return err
	}
	if err := file.commit(b); err != nil {
		return err
	}
	if *asJSON {
		printJSON(w, quantizeOutput{Model: name, Output: *out, ModelBytes: size, OutputBytes: int64(len(b)), Report: res.Report})
		return nil
	}
	fmt.Fprintf(w, "wrote %s (%.2f MiB, from %.2f MiB): QDQ model of %s\n", *out, mib(int64(len(b))), mib(size), name)
	return res.Report.WriteText(w, *worst)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// atomicFile is a file written beside its destination and renamed over
// it once complete, so that a model being read from there (memory mapped)
// keeps its old contents and a failure leaves no half-written file.
type atomicFile struct {
	f    *os.File
	path string
}

// createAtomic starts writing path: it fails now, not after the work, when
// path's folder cannot take the file.
func createAtomic(path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, errors.Unwrap(err))
	}
	return &atomicFile{f, path}, nil
}

// commit writes data and renames the file over its destination.
func (a *atomicFile) commit(data []byte) error {
	_, err := a.f.Write(data)
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(a.f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("writing %s: %w", a.path, err)
	}
	return nil
}

// abort removes the unfinished file (after commit, it does nothing).
func (a *atomicFile) abort() {
	if a.f.Close() == nil {
		os.Remove(a.f.Name())
	}
}

// progressBar shows quantize's passes on stderr: a bar redrawn in place
// on a terminal, one line per finished pass otherwise.
type progressBar struct {
	w     io.Writer
	tty   bool
	start time.Time
}

func newProgressBar(w io.Writer) *progressBar {
	b := &progressBar{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
		}
	}
	return b
}

func (b *progressBar) update(p quantize.Progress) {
	if p.Done == 0 {
		b.start = time.Now()
	}
	label := fmt.Sprintf("pass %d/%d %-10s", p.Index, p.Passes, p.Pass)
	if b.tty {
		const width = 30
		n := width * p.Done / max(p.Total, 1)
		fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d", label, strings.Repeat("=", n), strings.Repeat(" ", width-n), p.Done, p.Total)
		if p.Done == p.Total {
			fmt.Fprintf(b.w, " %.1f s\n", time.Since(b.start).Seconds())
		}
		return
	}
	if p.Done == p.Total {
		fmt.Fprintf(b.w, "%s %d samples in %.1f s\n", label, p.Total, time.Since(b.start).Seconds())
	}
}
