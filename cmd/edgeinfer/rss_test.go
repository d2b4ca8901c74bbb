//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// maxRSS is the bound on the peak resident memory of the edgeinfer process
// for any hostile input.
const maxRSS = 1 << 30

// TestHostileRSS runs the built binary as a subprocess on a sample of the
// hostile models and images (the ones that make the process allocate the
// most before refusing) and checks each run exits 0 or 2 with a one-line
// error, and peaks under 1 GiB of resident memory (the child's Maxrss).
func TestHostileRSS(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	img := goodImage(t, dir)
	sample := map[string]bool{
		"valid": true, "million empty nodes": true, "4 million empty nodes": true, "graphs nested 100 deep": true,
		"huge declared input": true, "initializer dims without data": true, "ConstantOfShape 1e12 elements": true,
		"Reshape to huge dims": true, "absurd pads": true, "external data length past the end": true,
	}
	valid := marshal(t, tinyClassifier())
	type run struct {
		name string
		args []string
	}
	var runs []run
	for i, c := range hostileModels(t) {
		if !sample[c.name] {
			continue
		}
		if c.model == nil {
			c.model = valid
		}
		folder := filepath.Join(dir, "m", string(rune('a'+i)))
		if err := os.MkdirAll(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		model := filepath.Join(folder, "model.onnx")
		if err := os.WriteFile(model, c.model, 0o644); err != nil {
			t.Fatal(err)
		}
		for name, b := range c.files {
			if err := os.WriteFile(filepath.Join(folder, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		runs = append(runs, run{c.name + " (inspect)", []string{"inspect", model}},
			run{c.name + " (bench)", []string{"bench", "-runs", "1", "-warmup", "0", model}},
			run{c.name + " (classify)", []string{model, img}})
	}
	model := filepath.Join(dir, "tiny.onnx")
	if err := os.WriteFile(model, valid, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, b := range hostileImageFiles(t) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run{name + " (classify)", []string{model, path}})
	}
	if *long {
		// The largest image the default limits let through: 64 megapixels.
		runs = append(runs, run{"8000x8000 PNG (classify)", []string{model, bigPNG(t, dir, 8000, 8000)}})
	}
	for _, r := range runs {
		start := time.Now()
		code, rss, msg := measure(t, bin, r.args)
		if code != 0 && (code != 2 || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "edgeinfer: ")) ||
			strings.Contains(msg, "internal error") || strings.Contains(msg, "panic") {
			t.Errorf("%s: exit %d, stderr %q: want 0, or 2 with a one-line error", r.name, code, msg)
		}
		if rss > maxRSS {
			t.Errorf("%s: peak RSS %d MiB, over %d MiB", r.name, rss>>20, maxRSS>>20)
		}
		t.Logf("%-44s exit %d, %4d ms, peak RSS %4d MiB", r.name, code, time.Since(start).Milliseconds(), rss>>20)
	}
}

// rssArgsEnv passes TestRSSHelper the command to run, as JSON.
const rssArgsEnv = "EDGEINFER_RSS_HELPER_ARGS"

// measure runs bin with args through TestRSSHelper in a fresh process and
// returns the exit code, peak RSS in bytes and standard error. The fresh
// process matters: a child created by this (large) test process would
// report this process's high-water mark as its own, since Linux carries
// the high-water mark of the memory a process had before exec over.
func measure(t *testing.T, bin string, args []string) (code int, rss int64, stderr string) {
	t.Helper()
	j, err := json.Marshal(append([]string{bin}, args...))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRSSHelper$")
	cmd.Env = append(os.Environ(), rssArgsEnv+"="+string(j))
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%q: helper: %v\n%s", args, err, errb.String())
	}
	if _, err := fmt.Sscanf(string(out), "rss-helper exit=%d rss=%d", &code, &rss); err != nil {
		t.Fatalf("%q: helper printed %q: %v", args, out, err)
	}
	return code, rss, strings.TrimRight(errb.String(), "\n")
}

// TestRSSHelper is not a test of its own: run by measure with the command
// in its environment, it runs the command (bounded by two minutes), copies
// its standard error and prints its exit code and peak RSS.
func TestRSSHelper(t *testing.T) {
	j := os.Getenv(rssArgsEnv)
	if j == "" {
		t.Skip("helper process for TestHostileRSS")
	}
	var args []string
	if err := json.Unmarshal([]byte(j), &args); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024 // kilobytes on Linux
	fmt.Printf("rss-helper exit=%d rss=%d\n", cmd.ProcessState.ExitCode(), rss)
	os.Exit(0)
}

// bigPNG writes a w x h RGB PNG of a smooth gradient.
func bigPNG(t *testing.T, dir string, w, h int) string {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = uint8(x), uint8(y), uint8(x+y), 255
		}
	}
	path := filepath.Join(dir, "big.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
