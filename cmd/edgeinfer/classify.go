package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	goruntime "runtime"
	"sort"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// scored is one row of a top-k table.
type scored struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// timings are per-image milliseconds.
type timings struct {
	Decode     float64 `json:"decode"`
	Preprocess float64 `json:"preprocess"`
	Infer      float64 `json:"infer"`
}

// imageResult is one image's line of `edgeinfer -json`.
type imageResult struct {
	Image  string   `json:"image"`
	Model  string   `json:"model"`
	Preset string   `json:"preset"`
	Top    []scored `json:"top"`
	MS     timings  `json:"ms"`
}

// classifier holds a loaded model and how to feed it.
type classifier struct {
	name   string
	m      *runtime.Model
	s      *runtime.Session
	opt    preprocess.Options
	labels []string
	k      int
}

// newClassifier prepares m for images: preprocessing from the model's input
// (or the named preset) and labels from the file or the output size.
func newClassifier(name string, m *runtime.Model, preset, labelsFile string, k int) (*classifier, error) {
	ins := m.Inputs()
	if len(ins) != 1 {
		return nil, fmt.Errorf("%s: model has %d inputs; an image classifier has one", name, len(ins))
	}
	if t := ins[0].Type; t != onnx.Float && t != onnx.Float16 {
		return nil, fmt.Errorf("%s: input %q has type %s; an image classifier takes float32", name, ins[0].Name, ops.TypeName(t))
	}
	opt, err := preprocess.Auto(ins[0].Dims, m.Proto().ProducerName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if preset != "auto" {
		if opt.Preset, err = preprocess.PresetByName(preset); err != nil {
			return nil, err
		}
	}
	c := &classifier{name: name, m: m, s: m.NewSession(), opt: opt, k: k}
	if labelsFile != "" {
		if c.labels, err = models.LoadLabels(labelsFile); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// classify runs one decoded image and returns its top-k.
func (c *classifier) classify(px *preprocess.Pixels, res *imageResult) error {
	t0 := time.Now()
	data, shape, err := px.Tensor(c.opt)
	if err != nil {
		return fmt.Errorf("%s: %w", res.Image, err)
	}
	in := ops.FromF32(data, shape...)
	if d := c.m.Inputs()[0].Dims; len(d) == 3 && len(shape) == 4 {
		in.Shape = shape[1:]
	}
	t1 := time.Now()
	outs, err := c.s.Run(context.Background(), []*ops.Tensor{in})
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	t2 := time.Now()
	res.MS.Preprocess = ms(t1.Sub(t0))
	res.MS.Infer = ms(t2.Sub(t1))
	if len(outs) == 0 || outs[0].Type != onnx.Float {
		return fmt.Errorf("%s: first output is not float32 scores", c.name)
	}
	res.Top = topK(probabilities(outs[0].F32()[:outs[0].Len()]), c.k, c.labelsFor(outs[0].Len()))
	res.Preset = c.opt.Preset.Name
	return nil
}

func (c *classifier) labelsFor(n int) []string {
	if c.labels != nil {
		return c.labels
	}
	return models.LabelsForClasses(n)
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// probabilities returns scores as probabilities: unchanged when they already
// are (in [0,1], summing to 1), softmax otherwise.
func probabilities(v []float32) []float64 {
	out := make([]float64, len(v))
	sum, isProb := 0.0, true
	for i, x := range v {
		out[i] = float64(x)
		sum += out[i]
		if x < 0 || x > 1 {
			isProb = false
		}
	}
	if isProb && math.Abs(sum-1) < 1e-3 {
		return out
	}
	mx := math.Inf(-1)
	for _, x := range out {
		mx = math.Max(mx, x)
	}
	sum = 0
	for i, x := range out {
		out[i] = math.Exp(x - mx)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// topK returns the k best scores with their labels ("class N" where none).
func topK(p []float64, k int, labels []string) []scored {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	k = min(k, len(idx))
	out := make([]scored, k)
	for r, i := range idx[:k] {
		l := fmt.Sprintf("class %d", i)
		if i < len(labels) {
			l = labels[i]
		}
		out[r] = scored{Index: i, Label: l, Score: math.Round(p[i]*1e6) / 1e6}
	}
	return out
}

// cmdClassify is `edgeinfer [flags] MODEL.onnx IMAGE...`.
func cmdClassify(args []string, w io.Writer) error {
	fs := newFlags("edgeinfer")
	k := fs.Int("k", 5, "how many classes to show per image")
	labels := fs.String("labels", "", "label file, one class name per line (default: built-in ImageNet labels)")
	preset := fs.String("preset", "auto", "preprocessing: auto|"+strings.Join(preprocess.PresetNames(), "|"))
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads")
	asJSON := fs.Bool("json", false, "one JSON object per image per line")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return fmt.Errorf("want MODEL.onnx and at least one IMAGE\n%s", usage)
	}
	if *k < 1 || *threads < 1 {
		return fmt.Errorf("-k and -threads must be at least 1")
	}
	m, err := runtime.Load(pos[0], runtime.WithThreads(*threads))
	if err != nil {
		return err
	}
	defer m.Close()
	c, err := newClassifier(pos[0], m, *preset, *labels, *k)
	if err != nil {
		return err
	}
	c.opt.Threads = *threads
	for _, path := range pos[1:] {
		res := imageResult{Image: path, Model: pos[0]}
		t0 := time.Now()
		px, err := preprocess.Decode(path, c.opt)
		if err != nil {
			return err
		}
		res.MS.Decode = ms(time.Since(t0))
		if err := c.classify(px, &res); err != nil {
			return err
		}
		printResult(w, &res, *asJSON)
	}
	return nil
}

func printResult(w io.Writer, res *imageResult, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	fmt.Fprintf(w, "%s  (preset %s; decode %.1f ms, preprocess %.1f ms, infer %.1f ms)\n",
		res.Image, res.Preset, res.MS.Decode, res.MS.Preprocess, res.MS.Infer)
	for r, s := range res.Top {
		fmt.Fprintf(w, "  %d  %4d  %-40s %7.4f\n", r+1, s.Index, s.Label, s.Score)
	}
}
