// Package classify names what is in photos with an ONNX image classifier.
//
// It is the command line's classification as a library: load a model, then
// classify decoded images, image files or streams, from as many goroutines
// as you like:
//
//	c, err := classify.Load("squeezenet1.0.onnx")
//	if err != nil { ... }
//	defer c.Close()
//	var res classify.Result
//	err = c.ClassifyFile(ctx, "photo.jpg", &res)
//	fmt.Println(res.Top[0].Label, res.Top[0].Score) // Egyptian cat 0.397...
//
// Preprocessing is read from the model, as preprocess.Auto reads it: the
// input's shape gives the size, the channels (RGB or grey) and the layout
// (NCHW or NHWC); the producer gives the normalisation (Caffe and Caffe2
// exports get preprocess.Caffe, PyTorch preprocess.Torchvision, TensorFlow
// and Keras preprocess.Inception). WithPreset and WithPreprocess override it.
//
// The model's first output is read as the scores of one image: its shape
// must be [C], [1, C], or any other holding C >= 2 classes on one axis with
// every other dimension 1 (such as Caffe's [1, C, 1, 1]), in float32 or
// float16; New and Classify refuse other outputs with ErrNotClassifier. Scores that
// are not already probabilities (in [0, 1] and summing to 1) go through a
// softmax. Labels are the 1000 ImageNet classes for a model with 1000
// outputs (1001: with a background class first), "class N" for other
// counts, or a list of your own, which must have one label per class.
//
// A Classifier is safe for concurrent use. It keeps a runtime.Session and
// a buffer set per concurrent caller (as many as it has had callers at
// once, each holding its run's arena: a few MiB to tens of MiB), so in
// steady state
// (after the first call for a given image size, with as many goroutines as
// before) Classify allocates nothing, and ClassifyFile and ClassifyReader
// allocate only for decoding.
package classify

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	goruntime "runtime"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/internal/freelist"
	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Errors the package's functions wrap; test for them with errors.Is.
var (
	// ErrNotClassifier: the model's inputs or outputs cannot be those of an
	// image classifier (several inputs, a non-float input, an input that is
	// not an image, a first output that is not the scores of C >= 2 classes).
	ErrNotClassifier = errors.New("not an image classifier")
	// ErrLabels: the number of labels given is not the model's class count.
	ErrLabels = errors.New("one label per class needed")
	// ErrNotFinite: the model's scores hold NaN or infinite values. The
	// Result is filled all the same; its JSON has null for such scores.
	ErrNotFinite = errors.New("scores are not finite")
	// ErrImage: the image could not be read, decoded or converted (a
	// missing file, a read error, an unknown format, corrupt or truncated
	// data, over the size limits, an empty image): the caller's input is
	// at fault, not the model. The error's message is the underlying one,
	// which it also wraps.
	ErrImage = errors.New("image not readable")
)

// imageError marks err, a failure to read or decode an image, as ErrImage
// without changing its message.
type imageError struct{ err error }

func (e *imageError) Error() string   { return e.err.Error() }
func (e *imageError) Unwrap() []error { return []error{e.err, ErrImage} }

// DefaultK is the number of classes a Result lists unless WithTopK says.
const DefaultK = 5

// Option configures a Classifier.
type Option func(*config)

type config struct {
	threads    int
	preset     *preprocess.Preset
	prep       *preprocess.Options
	labels     []string
	labelsFile string
	k          int
	name       string
	runtimeOps []runtime.Option
}

// WithThreads sets the worker threads: the model's (for Load and
// LoadModel) and the decoders'. The default is the number of CPUs.
func WithThreads(n int) Option { return func(c *config) { c.threads = n } }

// WithPreset overrides the normalisation preprocess.Auto picks from the
// model's producer.
func WithPreset(p preprocess.Preset) Option { return func(c *config) { c.preset = &p } }

// WithPreprocess replaces the automatic preprocessing options altogether.
// A later WithPreset still overrides the preset. Threads is ignored.
func WithPreprocess(o preprocess.Options) Option { return func(c *config) { c.prep = &o } }

// WithLabels gives the class names, one per class, in class order.
func WithLabels(labels []string) Option {
	return func(c *config) { c.labels, c.labelsFile = append([]string(nil), labels...), "" }
}

// WithLabelsFile reads the class names from a file, one per line (see
// models.ParseLabels).
func WithLabelsFile(path string) Option {
	return func(c *config) { c.labelsFile, c.labels = path, nil }
}

// WithTopK sets how many classes a Result lists, best first (default
// DefaultK). A k above the model's class count lists every class.
func WithTopK(k int) Option { return func(c *config) { c.k = k } }

// WithName sets the model name Results carry (default: the file path for
// Load, the graph's name for New).
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithRuntimeOptions passes options to runtime.Load (limits, memory,
// optimisations); Load and LoadModel only.
func WithRuntimeOptions(opts ...runtime.Option) Option {
	return func(c *config) { c.runtimeOps = append(c.runtimeOps, opts...) }
}

// Classifier classifies images with one model. It is safe for concurrent use.
type Classifier struct {
	m      *runtime.Model
	owned  bool // Close closes m
	name   string
	opt    preprocess.Options // resolved preprocessing, Threads 1 (the converters')
	decode preprocess.Options // the same for the decoders, with the threads
	k      int
	rank3  bool     // the input is [C, H, W] or [H, W, C]: no batch axis
	custom []string // labels given, nil for the built-in ones
	from   string   // the file they were read from
	// classes is the class count: from the declared output, or the first run.
	classes atomic.Int64
	names   atomic.Pointer[[]string] // labels for the class count

	free freelist.List[*worker]
}

// worker is the buffer set of one call in flight. It has a Session of its
// own: a Session's outputs live in the run state that computed them, which
// a concurrent caller of the same Session may take and overwrite as soon
// as the run returns.
type worker struct {
	sess  *runtime.Session
	conv  *preprocess.Converter
	in    ops.Tensor
	ins   [1]*ops.Tensor
	probs []float64
}

// Load loads the ONNX model at path and prepares it for images. Close
// closes the model.
func Load(path string, opts ...Option) (*Classifier, error) {
	cfg := newConfig(opts)
	if cfg.name == "" {
		cfg.name = path
	}
	m, err := runtime.Load(path, append([]runtime.Option{runtime.WithThreads(cfg.threads)}, cfg.runtimeOps...)...)
	if err != nil {
		return nil, err
	}
	c, err := newClassifier(m, cfg)
	if err != nil {
		m.Close()
		return nil, err
	}
	c.owned = true
	return c, nil
}

// LoadModel prepares an in-memory ONNX model (decoded with onnx.Decode,
// or built) for images, as runtime.LoadModel does: p must not change while
// the Classifier is in use. Close closes the model.
func LoadModel(p *onnx.Model, opts ...Option) (*Classifier, error) {
	cfg := newConfig(opts)
	if cfg.name == "" && p.Graph != nil {
		cfg.name = p.Graph.Name
	}
	m, err := runtime.LoadModel(p, append([]runtime.Option{runtime.WithThreads(cfg.threads)}, cfg.runtimeOps...)...)
	if err != nil {
		return nil, err
	}
	c, err := newClassifier(m, cfg)
	if err != nil {
		m.Close()
		return nil, err
	}
	c.owned = true
	return c, nil
}

// New prepares an already loaded model for images. The model stays the
// caller's: Close does not close it, and it must stay open while the
// Classifier is in use. WithThreads sets only the decoders' threads here.
func New(m *runtime.Model, opts ...Option) (*Classifier, error) {
	cfg := newConfig(opts)
	if cfg.name == "" && m.Proto() != nil && m.Proto().Graph != nil {
		cfg.name = m.Proto().Graph.Name
	}
	return newClassifier(m, cfg)
}

func newConfig(opts []Option) config {
	cfg := config{threads: goruntime.NumCPU(), k: DefaultK}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

func newClassifier(m *runtime.Model, cfg config) (*Classifier, error) {
	if cfg.k < 1 {
		return nil, fmt.Errorf("classify: top k %d: want at least 1", cfg.k)
	}
	if cfg.threads < 1 {
		return nil, fmt.Errorf("classify: %d threads: want at least 1", cfg.threads)
	}
	ins := m.Inputs()
	if len(ins) != 1 {
		return nil, fmt.Errorf("%s: model has %d inputs; an image classifier has one: %w", cfg.name, len(ins), ErrNotClassifier)
	}
	in := ins[0]
	if in.Type != onnx.Float && in.Type != onnx.Float16 {
		return nil, fmt.Errorf("%s: input %q has type %s; an image classifier takes float32: %w", cfg.name, in.Name, ops.TypeName(in.Type), ErrNotClassifier)
	}
	var opt preprocess.Options
	if cfg.prep != nil {
		opt = *cfg.prep
	} else {
		producer := ""
		if m.Proto() != nil {
			producer = m.Proto().ProducerName
		}
		dims := in.Dims
		if dims == nil {
			dims = []int64{-1, -1, -1, -1}
		}
		var err error
		if opt, err = preprocess.Auto(dims, producer); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", cfg.name, err, ErrNotClassifier)
		}
	}
	if cfg.preset != nil {
		opt.Preset = *cfg.preset
	}
	opt.Threads = 1
	conv, err := preprocess.NewConverter(opt) // validates opt
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.name, err)
	}
	c := &Classifier{m: m, name: cfg.name, opt: conv.Options(), k: cfg.k,
		rank3: len(in.Dims) == 3}
	c.decode = c.opt
	c.decode.Threads = cfg.threads
	c.free.Put(c.newWorker(conv))
	if cfg.labelsFile != "" {
		if cfg.labels, err = models.LoadLabels(cfg.labelsFile); err != nil {
			return nil, err
		}
	}
	c.custom, c.from = cfg.labels, cfg.labelsFile
	outs := m.Outputs()
	if len(outs) == 0 {
		return nil, fmt.Errorf("%s: model has no outputs: %w", cfg.name, ErrNotClassifier)
	}
	n, err := declaredClasses(outs[0].Dims)
	if err != nil {
		return nil, fmt.Errorf("%s: output %q: %w", cfg.name, outs[0].Name, err)
	}
	if n > 0 {
		if err := c.setClasses(n); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Classifier) newWorker(conv *preprocess.Converter) *worker {
	w := &worker{sess: c.m.NewSession(), conv: conv}
	w.ins[0] = &w.in
	return w
}

// declaredClasses reads the class count from a declared output shape: 0
// when it is unknown (no shape, or symbolic where the classes would be),
// an error when the shape cannot hold one image's scores.
func declaredClasses(dims []int64) (int, error) {
	if dims == nil {
		return 0, nil
	}
	n, unknown := 0, false
	for _, d := range dims {
		switch {
		case d < 0:
			unknown = true
		case d > 1 && n > 0:
			return 0, fmt.Errorf("declared shape %v is not the scores of one image ([C], [1, C] or [1, C, 1, 1]): %w", dims, ErrNotClassifier)
		case d > 1:
			n = int(d)
		}
	}
	if n == 0 && !unknown {
		return 0, fmt.Errorf("declared shape %v holds one score; a classifier has at least 2 classes: %w", dims, ErrNotClassifier)
	}
	return n, nil
}

// setClasses records the class count and the labels for it, checking the
// labels given against it.
func (c *Classifier) setClasses(n int) error {
	if c.custom != nil && len(c.custom) != n {
		if c.from != "" {
			return fmt.Errorf("labels file %s has %d labels, model %s has %d classes: %w", c.from, len(c.custom), c.name, n, ErrLabels)
		}
		return fmt.Errorf("%d labels given, model %s has %d classes: %w", len(c.custom), c.name, n, ErrLabels)
	}
	names := c.custom
	if names == nil {
		if names = models.LabelsForClasses(n); names == nil {
			names = make([]string, n)
			for i := range names {
				names[i] = "class " + strconv.Itoa(i)
			}
		}
	}
	c.names.Store(&names)
	c.classes.Store(int64(n))
	return nil
}

// Close releases the classifier and, when it was made by Load, its model.
// Calls in flight finish first; later ones fail with an error wrapping
// runtime.ErrClosed.
func (c *Classifier) Close() error {
	if c.owned {
		return c.m.Close()
	}
	return nil
}

// Name is the model name Results carry.
func (c *Classifier) Name() string { return c.name }

// Model is the model the classifier runs.
func (c *Classifier) Model() *runtime.Model { return c.m }

// Preprocess returns the preprocessing options in use (Threads is the decoders').
func (c *Classifier) Preprocess() preprocess.Options { return c.decode }

// Classes returns the model's class count, or 0 while it is unknown (the
// output shape is symbolic and nothing has been classified yet).
func (c *Classifier) Classes() int { return int(c.classes.Load()) }

// K returns how many classes a Result lists at most.
func (c *Classifier) K() int { return c.k }

// Labels returns the class names in use (nil while Classes is 0). The
// slice is shared: do not modify it.
func (c *Classifier) Labels() []string {
	if p := c.names.Load(); p != nil {
		return *p
	}
	return nil
}

// get takes a worker from the free list, or makes one.
func (c *Classifier) get() (*worker, error) { return c.free.Get(c.makeWorker) }

// makeWorker makes a worker with a converter of its own.
func (c *Classifier) makeWorker() (*worker, error) {
	conv, err := preprocess.NewConverter(c.opt)
	if err != nil {
		return nil, err
	}
	return c.newWorker(conv), nil
}

// Classify classifies a decoded image (no EXIF orientation is applied) and
// fills res, reusing res.Top's array: a caller that passes the same Result
// each time allocates nothing. res.Image is set to "" and MS.Decode to 0.
func (c *Classifier) Classify(ctx context.Context, img image.Image, res *Result) error {
	w, err := c.get()
	if err != nil {
		return err
	}
	defer c.free.Put(w)
	t0 := time.Now()
	data, shape, err := w.conv.Image(img)
	if err != nil {
		return &imageError{err}
	}
	return c.run(ctx, w, data, shape, "", 0, t0, res)
}

// ClassifyFile decodes the image file at path (JPEG with its EXIF
// orientation, PNG, GIF, BMP, TIFF, WebP, PNM; see preprocess.Decode),
// classifies it and fills res, with res.Image set to path.
func (c *Classifier) ClassifyFile(ctx context.Context, path string, res *Result) error {
	t0 := time.Now()
	px, err := preprocess.Decode(path, c.decode)
	if err != nil {
		return &imageError{err}
	}
	return c.classifyPixels(ctx, px, path, t0, res)
}

// ClassifyReader decodes an image read from r (see ClassifyFile),
// classifies it and fills res, with res.Image set to name, which also
// names the image in errors.
func (c *Classifier) ClassifyReader(ctx context.Context, r io.Reader, name string, res *Result) error {
	t0 := time.Now()
	px, err := preprocess.DecodeReader(r, name, c.decode)
	if err != nil {
		return &imageError{err}
	}
	return c.classifyPixels(ctx, px, name, t0, res)
}

func (c *Classifier) classifyPixels(ctx context.Context, px *preprocess.Pixels, name string, t0 time.Time, res *Result) error {
	w, err := c.get()
	if err != nil {
		return err
	}
	defer c.free.Put(w)
	t1 := time.Now()
	data, shape, err := w.conv.Pixels(px)
	if err != nil {
		return &imageError{fmt.Errorf("%s: %w", name, err)}
	}
	return c.run(ctx, w, data, shape, name, t1.Sub(t0), t1, res)
}

// run feeds the tensor to the model and fills res from its first output.
func (c *Classifier) run(ctx context.Context, w *worker, data []float32, shape []int, name string, decode time.Duration, t0 time.Time, res *Result) error {
	w.in.Type = onnx.Float
	w.in.Shape = shape
	if c.rank3 {
		w.in.Shape = shape[1:]
	}
	w.in.Data = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(data))), 4*len(data))
	t1 := time.Now()
	outs, err := w.sess.Run(ctx, w.ins[:])
	w.in.Data = nil
	if testHookAfterRun != nil {
		testHookAfterRun()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	t2 := time.Now()
	res.Image, res.Model, res.Preset = name, c.name, c.opt.Preset.Name
	res.MS = Timings{Decode: ms(decode), Preprocess: ms(t1.Sub(t0)), Infer: ms(t2.Sub(t1))}
	res.Top = res.Top[:0]
	if len(outs) == 0 {
		return fmt.Errorf("%s: the model gave no output: %w", c.name, ErrNotClassifier)
	}
	probs, err := c.scores(w, outs[0])
	if err != nil {
		return err
	}
	finite := softmax(probs)
	names := *c.names.Load()
	res.Top = topK(res.Top, probs, min(c.k, len(probs)), names)
	if !finite {
		return fmt.Errorf("%s: %s: %w (NaN or infinite)", c.name, name, ErrNotFinite)
	}
	return nil
}

// scores checks out is one image's class scores and copies them into the
// worker's probs as float64.
func (c *Classifier) scores(w *worker, out *ops.Tensor) ([]float64, error) {
	n, err := outputClasses(out.Shape)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if known := c.Classes(); known != n {
		if known != 0 {
			return nil, fmt.Errorf("%s: output has %d classes, %d before: %w", c.name, n, known, ErrNotClassifier)
		}
		if err := c.setClasses(n); err != nil {
			return nil, err
		}
	}
	if cap(w.probs) < n {
		w.probs = make([]float64, n)
	}
	p := w.probs[:n]
	switch out.Type {
	case onnx.Float:
		for i, v := range out.F32()[:n] {
			p[i] = float64(v)
		}
	case onnx.Float16:
		for i, v := range out.U16()[:n] {
			p[i] = float64(onnx.F16ToF32(v))
		}
	default:
		return nil, fmt.Errorf("%s: output is %s; class scores are float32 or float16: %w", c.name, ops.TypeName(out.Type), ErrNotClassifier)
	}
	return p, nil
}

// outputClasses returns the class count of an output shape, or an error
// when the shape is not one image's scores.
func outputClasses(shape []int) (int, error) {
	n, big := 1, 0
	for _, d := range shape {
		n *= d
		if d > 1 {
			big++
		}
	}
	switch {
	case big > 1:
		return 0, fmt.Errorf("output shape %v is not the scores of one image ([C], [1, C] or [1, C, 1, 1]): %w", shape, ErrNotClassifier)
	case n < 2:
		return 0, fmt.Errorf("output shape %v holds %d score(s); a classifier has at least 2 classes: %w", shape, n, ErrNotClassifier)
	}
	return n, nil
}

// softmax turns scores into probabilities in place: unchanged when they
// already are (each in [0, 1], summing to 1 within 1e-3), softmax
// otherwise. It reports whether the result is finite.
func softmax(p []float64) (finite bool) {
	sum, isProb := 0.0, true
	for _, x := range p {
		sum += x
		if x < 0 || x > 1 {
			isProb = false
		}
	}
	if !(isProb && math.Abs(sum-1) < 1e-3) {
		mx := math.Inf(-1)
		for _, x := range p {
			mx = math.Max(mx, x)
		}
		sum = 0
		for i, x := range p {
			p[i] = math.Exp(x - mx)
			sum += p[i]
		}
		for i := range p {
			p[i] /= sum
		}
	}
	for _, x := range p {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// better reports whether class i ranks above class j: the higher score
// first, NaN last, the lower index first among equals.
func better(p []float64, i, j int) bool {
	a, b := p[i], p[j]
	switch {
	case math.IsNaN(b):
		return !math.IsNaN(a) || i < j
	case math.IsNaN(a):
		return false
	case a != b:
		return a > b
	}
	return i < j
}

// topK appends the k best classes of p to top (which it expects empty),
// best first, by insertion into the kept list.
func topK(top []Class, p []float64, k int, names []string) []Class {
	for i := range p {
		n := len(top)
		if n == k && !better(p, i, top[n-1].Index) {
			continue
		}
		pos := n
		for pos > 0 && better(p, i, top[pos-1].Index) {
			pos--
		}
		if n < k {
			top = append(top, Class{})
		}
		copy(top[pos+1:], top[pos:len(top)-1])
		top[pos] = Class{Index: i, Label: names[i], Score: p[i]}
	}
	return top
}

// testHookAfterRun, when set by a test, runs between a run and the
// reading of its outputs, to widen the window a concurrent run has to
// overwrite them.
var testHookAfterRun func()

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }
