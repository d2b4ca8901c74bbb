// Package detect finds objects and faces in photos with ONNX detectors:
// YOLO (v5 to v11, YOLOX), NanoDet, SSD-style (UltraFace), and face
// detectors with landmarks (RetinaFace, SCRFD, YuNet, BlazeFace), and
// models that suppress overlapping boxes themselves.
//
// It is `edgeinfer detect` as a library: load a model, then detect in
// decoded images, image files or streams, from as many goroutines as you
// like:
//
//	d, err := detect.Load("yolov8n.onnx")
//	if err != nil { ... }
//	defer d.Close()
//	boxes, err := d.Detect(ctx, img) // []detect.Box, best first, in img's pixels
//	for _, b := range boxes {
//		fmt.Println(b.Label, b.Score, b.X1, b.Y1, b.X2, b.Y2)
//	}
//
// New recognises the family from the model's outputs (their count and
// shapes, and whether the graph decodes boxes itself); each Family's
// documentation gives its rule, and WithFamily overrides it. The family
// gives the preprocessing (letterbox or plain resize, padding colour,
// channel order and scaling: see docs/detect.md; WithPreset,
// WithChannelOrder and WithFit override it), the decoding of the outputs,
// and the defaults of Thresholds. A model whose input size is symbolic
// gets letterboxed images of at most WithSize's side (640 by default)
// rounded up to a multiple of 32.
//
// Boxes go through a confidence threshold, non-maximum suppression (per
// class, or across classes; BlazeFace blends overlapping boxes as
// MediaPipe does) and a maximum count, then are mapped back to the pixels
// of the upright photo (its EXIF orientation applied) and clipped to it
// (a box left empty, wholly in a letterbox's bars, is dropped).
// Labels are the model's own when its metadata names its classes
// (Ultralytics' "names"), else COCO's 80 for 80-class object detectors,
// "face" for face detectors, "class N" otherwise, or a list of your own.
//
// A Detector is safe for concurrent use. It keeps a runtime.Session and a
// buffer set per concurrent caller, so in steady state (after the first
// call for an image size, with as many goroutines as before) DetectImage
// allocates nothing, whatever the number of boxes, and DetectFile and
// DetectReader allocate only for decoding.
package detect

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	goruntime "runtime"
	"slices"
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
	// ErrNotDetector: the model's inputs or outputs are not those of a
	// detector family (or of the family asked for), or a run gave outputs
	// of another layout than the first.
	ErrNotDetector = errors.New("not a detector")
	// ErrLabels: the number of labels given is not the model's class count.
	ErrLabels = errors.New("one label per class needed")
	// ErrImage: the image could not be read, decoded or converted (missing
	// file, unknown format, corrupt or truncated data, over the size
	// limits, empty): the caller's input is at fault, not the model.
	ErrImage = errors.New("image not readable")
)

// imageError marks err as ErrImage without changing its message.
type imageError struct{ err error }

func (e *imageError) Error() string   { return e.err.Error() }
func (e *imageError) Unwrap() []error { return []error{e.err, ErrImage} }

// DefaultSize is the side of the square a model with a symbolic input size
// gets its images letterboxed into (rounded up to a multiple of 32).
const DefaultSize = 640

// Thresholds filter and suppress boxes. The zero value of a field means
// the family's default.
type Thresholds struct {
	// Conf keeps boxes scoring above it (default 0.25 for object
	// detectors, 0.5 for face detectors, one-class SSDs included, 0.75 for
	// BlazeFace).
	Conf float64
	// IoU suppresses a box overlapping a better one by more than this
	// intersection over union (default 0.45 for object detectors, 0.4 for
	// faces, 0.3 for BlazeFace).
	IoU float64
	// MaxDet keeps at most this many boxes, best first (default 300).
	MaxDet int
	// Agnostic suppresses across classes; by default only boxes of one
	// class suppress each other.
	Agnostic bool
}

// defaults returns th with the head's defaults in its zero fields.
func (th Thresholds) defaults(hd *head) Thresholds {
	conf, iou := 0.25, 0.45
	switch {
	case hd.family == BlazeFace:
		conf, iou = 0.75, 0.3
	case hd.faces():
		conf, iou = 0.5, 0.4
	}
	if th.Conf == 0 {
		th.Conf = conf
	}
	if th.IoU == 0 {
		th.IoU = iou
	}
	if th.MaxDet == 0 {
		th.MaxDet = 300
	}
	return th
}

// check reports invalid thresholds.
func (th Thresholds) check() error {
	switch {
	case !(th.Conf >= 0 && th.Conf <= 1):
		return fmt.Errorf("confidence threshold %g: want 0..1", th.Conf)
	case !(th.IoU > 0 && th.IoU <= 1):
		return fmt.Errorf("IoU threshold %g: want above 0, at most 1", th.IoU)
	case th.MaxDet < 0:
		return fmt.Errorf("max detections %d: want at least 1", th.MaxDet)
	}
	return nil
}

// Option configures a Detector.
type Option func(*config)

type config struct {
	threads    int
	family     Family
	th         Thresholds
	preset     *preprocess.Preset
	order      string // "", "rgb" or "bgr"
	fit        *preprocess.Options
	size       int
	labels     []string
	labelsFile string
	name       string
	runtimeOps []runtime.Option
}

// WithThreads sets the worker threads: the model's (for Load and
// LoadModel) and the decoders'. The default is the number of CPUs.
func WithThreads(n int) Option { return func(c *config) { c.threads = n } }

// WithFamily decodes the outputs as family f instead of recognising it;
// New fails with ErrNotDetector when the outputs are not f's.
func WithFamily(f Family) Option { return func(c *config) { c.family = f } }

// WithThresholds sets the confidence and IoU thresholds, the maximum
// count and class-agnostic suppression (zero fields: the family's).
func WithThresholds(th Thresholds) Option { return func(c *config) { c.th = th } }

// WithPreset overrides the family's normalisation (scaling, mean, std and
// channel order).
func WithPreset(p preprocess.Preset) Option { return func(c *config) { c.preset = &p } }

// WithChannelOrder sets the channel order ("rgb" or "bgr") of whatever
// preset is in use.
func WithChannelOrder(order string) Option { return func(c *config) { c.order = order } }

// WithFit overrides how images are fitted to the input: fit (Letterbox or
// Stretch), and for a letterbox the padding colour and whether the image
// goes in the top-left corner instead of the centre.
func WithFit(fit preprocess.Fit, pad [3]uint8, corner bool) Option {
	return func(c *config) { c.fit = &preprocess.Options{Fit: fit, Pad: pad, Corner: corner} }
}

// WithSize sets the largest side of the input for a model whose input
// size is symbolic (default DefaultSize); fixed sizes are kept.
func WithSize(n int) Option { return func(c *config) { c.size = n } }

// WithLabels gives the class names, one per class, in class order.
func WithLabels(labels []string) Option {
	return func(c *config) { c.labels, c.labelsFile = slices.Clone(labels), "" }
}

// WithLabelsFile reads the class names from a file, one per line (see
// models.ParseLabels).
func WithLabelsFile(path string) Option {
	return func(c *config) { c.labelsFile, c.labels = path, nil }
}

// WithName sets the model name Results carry (default: the file path for
// Load, the graph's name for New).
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithRuntimeOptions passes options to runtime.Load (limits, memory,
// optimisations); Load and LoadModel only.
func WithRuntimeOptions(opts ...runtime.Option) Option {
	return func(c *config) { c.runtimeOps = append(c.runtimeOps, opts...) }
}

// Detector finds boxes in images with one model. It is safe for
// concurrent use.
type Detector struct {
	*core
	th Thresholds // resolved
}

// core is what a Detector and the views With makes of it share.
type core struct {
	m      *runtime.Model
	owned  bool // Close closes m
	name   string
	hd     *head
	opt    preprocess.Options // resolved preprocessing, Threads 1 (the converters')
	decode preprocess.Options // the same for the decoders, with the threads
	rank3  bool               // the input has no batch axis
	labels []string

	free freelist.List[*worker]
}

// worker is the buffer set of one call in flight, with a Session of its
// own (a Session's outputs live until its next run).
type worker struct {
	sess *runtime.Session
	conv *preprocess.Converter
	in   ops.Tensor
	ins  [1]*ops.Tensor
	cs   candidates
	bufs [][]float32 // outputs converted to float32
}

// Load loads the ONNX model at path and prepares it for detection. Close
// closes the model.
func Load(path string, opts ...Option) (*Detector, error) {
	cfg := newConfig(opts)
	if cfg.name == "" {
		cfg.name = path
	}
	m, err := runtime.Load(path, append([]runtime.Option{runtime.WithThreads(cfg.threads)}, cfg.runtimeOps...)...)
	if err != nil {
		return nil, err
	}
	return owned(newDetector(m, cfg))
}

// LoadModel prepares an in-memory ONNX model for detection, as
// runtime.LoadModel does: p must not change while the Detector is in use.
// Close closes the model.
func LoadModel(p *onnx.Model, opts ...Option) (*Detector, error) {
	cfg := newConfig(opts)
	if cfg.name == "" && p.Graph != nil {
		cfg.name = p.Graph.Name
	}
	m, err := runtime.LoadModel(p, append([]runtime.Option{runtime.WithThreads(cfg.threads)}, cfg.runtimeOps...)...)
	if err != nil {
		return nil, err
	}
	return owned(newDetector(m, cfg))
}

// owned marks a new detector's model as its own, closing the model when
// the detector could not be made.
func owned(d *Detector, m *runtime.Model, err error) (*Detector, error) {
	if err != nil {
		m.Close()
		return nil, err
	}
	d.owned = true
	return d, nil
}

// New prepares an already loaded model for detection. The model stays the
// caller's: Close does not close it, and it must stay open while the
// Detector is in use. WithThreads sets only the decoders' threads here.
// Recognising the family may run the model once on a blank image, when
// its declared output shapes are not all fixed.
func New(m *runtime.Model, opts ...Option) (*Detector, error) {
	cfg := newConfig(opts)
	if cfg.name == "" && m.Proto() != nil && m.Proto().Graph != nil {
		cfg.name = m.Proto().Graph.Name
	}
	d, _, err := newDetector(m, cfg)
	return d, err
}

func newConfig(opts []Option) config {
	cfg := config{threads: goruntime.NumCPU(), size: DefaultSize}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

func newDetector(m *runtime.Model, cfg config) (*Detector, *runtime.Model, error) {
	d, err := build(m, cfg)
	if err != nil {
		return nil, m, fmt.Errorf("%s: %w", cfg.name, err)
	}
	return d, m, nil
}

func build(m *runtime.Model, cfg config) (*Detector, error) {
	switch {
	case cfg.threads < 1:
		return nil, fmt.Errorf("detect: %d threads: want at least 1", cfg.threads)
	case cfg.size < 32 || cfg.size > 1<<14:
		return nil, fmt.Errorf("detect: size %d: want 32..16384", cfg.size)
	case cfg.order != "" && cfg.order != "rgb" && cfg.order != "bgr":
		return nil, fmt.Errorf("detect: channel order %q: want rgb or bgr", cfg.order)
	}
	ins := m.Inputs()
	if len(ins) != 1 {
		return nil, fmt.Errorf("model has %d inputs; a detector takes one image: %w", len(ins), ErrNotDetector)
	}
	in := ins[0]
	if in.Type != onnx.Float && in.Type != onnx.Float16 {
		return nil, fmt.Errorf("input %q has type %s; a detector here takes float32: %w", in.Name, ops.TypeName(in.Type), ErrNotDetector)
	}
	dims := in.Dims
	if dims == nil {
		dims = []int64{-1, 3, -1, -1}
	}
	opt, err := preprocess.Auto(dims, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrNotDetector)
	}
	hw := dims[len(dims)-2:]
	if opt.Layout == preprocess.NHWC {
		hw = dims[len(dims)-3 : len(dims)-1]
	}
	dynamic := hw[0] <= 0 || hw[1] <= 0
	if dynamic {
		opt.Width, opt.Height = cfg.size, cfg.size
	}
	outs, err := outputsOf(m, opt)
	if err != nil {
		return nil, err
	}
	var g *onnx.Graph
	if m.Proto() != nil {
		g = m.Proto().Graph
	}
	hd, err := recognise(outs, g, opt.Width, opt.Height, cfg.family)
	if err != nil {
		return nil, err
	}
	opt = familyPreprocess(hd.family, opt, cfg, dynamic)
	opt.Threads = 1
	conv, err := preprocess.NewConverter(opt)
	if err != nil {
		return nil, err
	}
	c := &core{m: m, name: cfg.name, hd: hd, opt: conv.Options(), rank3: len(dims) == 3}
	c.decode = c.opt
	c.decode.Threads = cfg.threads
	if c.labels, err = labelsFor(hd, m.Proto(), cfg); err != nil {
		return nil, err
	}
	c.free.Put(c.newWorker(conv))
	th := cfg.th.defaults(hd)
	if err := th.check(); err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	return &Detector{core: c, th: th}, nil
}

// outputsOf returns the model's outputs with their shapes: the declared
// ones when all are fixed, else those of a run on a blank input of opt's
// size.
func outputsOf(m *runtime.Model, opt preprocess.Options) ([]output, error) {
	decl := m.Outputs()
	outs := make([]output, len(decl))
	fixed := true
	for i, o := range decl {
		outs[i].name = o.Name
		if o.Dims == nil {
			fixed = false
		}
		for _, d := range o.Dims {
			fixed = fixed && d > 0
			outs[i].shape = append(outs[i].shape, int(d))
		}
	}
	if fixed {
		return outs, nil
	}
	shape := []int{1, 3, opt.Height, opt.Width}
	if opt.Layout == preprocess.NHWC {
		shape = []int{1, opt.Height, opt.Width, 3}
	}
	if in := m.Inputs()[0]; len(in.Dims) == 3 {
		shape = shape[1:]
	}
	res, err := m.Run(context.Background(), []*ops.Tensor{ops.New(onnx.Float, shape...)})
	if err != nil {
		return nil, fmt.Errorf("running the model on a blank %dx%d image to read its output shapes: %w", opt.Width, opt.Height, err)
	}
	for i, t := range res {
		if i < len(outs) {
			outs[i].shape = t.Shape
		}
	}
	return outs, nil
}

// Presets of the families that use none of preprocess's.
var (
	bgr255 = preprocess.Preset{Name: "bgr255", BGR: true, Div: 1, Std: [3]float32{1, 1, 1}}
	// nanoDetPreset is NanoDet's normalisation: BGR, ImageNet's mean and
	// std in 0..255.
	nanoDetPreset = preprocess.Preset{Name: "nanodet", BGR: true, Div: 1,
		Mean: [3]float32{103.53, 116.28, 123.675}, Std: [3]float32{57.375, 57.12, 58.395}}
	ultraFacePreset = preprocess.Preset{Name: "ultraface", Div: 1,
		Mean: [3]float32{127, 127, 127}, Std: [3]float32{128, 128, 128}}
	scrfdPreset = preprocess.Preset{Name: "scrfd", Div: 1,
		Mean: [3]float32{127.5, 127.5, 127.5}, Std: [3]float32{128, 128, 128}}
)

// familyPreprocess sets the family's fit and normalisation on opt (whose
// size and layout come from the model), then the overrides of cfg.
func familyPreprocess(f Family, opt preprocess.Options, cfg config, dynamic bool) preprocess.Options {
	opt.Fit, opt.Pad, opt.Corner = preprocess.Letterbox, [3]uint8{}, false
	switch f {
	case YOLOv5, YOLOv8, NMS:
		opt.Pad, opt.Preset = [3]uint8{114, 114, 114}, preprocess.Unit
	case YOLOX:
		opt.Pad, opt.Corner, opt.Preset = [3]uint8{114, 114, 114}, true, bgr255
	case NanoDet:
		opt.Fit, opt.Preset = preprocess.Stretch, nanoDetPreset
	case SSD:
		opt.Fit, opt.Preset = preprocess.Stretch, ultraFacePreset
	case RetinaFace:
		opt.Corner, opt.Preset = true, preprocess.Caffe
	case BlazeFace:
		opt.Preset = preprocess.Inception
	case SCRFD:
		opt.Corner, opt.Preset = true, scrfdPreset
	case YuNet:
		opt.Corner, opt.Preset = true, bgr255
	}
	if cfg.fit != nil {
		opt.Fit, opt.Pad, opt.Corner = cfg.fit.Fit, cfg.fit.Pad, cfg.fit.Corner
	}
	if dynamic && opt.Fit == preprocess.Letterbox {
		opt.Align = 32
	}
	if cfg.preset != nil {
		opt.Preset = *cfg.preset
	}
	switch cfg.order {
	case "rgb":
		opt.Preset.BGR = false
	case "bgr":
		opt.Preset.BGR = true
	}
	return opt
}

// labelsFor picks the class names: given ones, the model's metadata
// (Ultralytics' "names"), COCO's for 80 classes, "face" for face
// detectors and one-class SSDs, else "class N".
func labelsFor(hd *head, p *onnx.Model, cfg config) ([]string, error) {
	labels := cfg.labels
	if cfg.labelsFile != "" {
		var err error
		if labels, err = models.LoadLabels(cfg.labelsFile); err != nil {
			return nil, err
		}
	}
	n := hd.classes // 0: unknown (NMS)
	if labels != nil {
		if n > 0 && len(labels) != n {
			from := "given"
			if cfg.labelsFile != "" {
				from = "in " + cfg.labelsFile
			}
			return nil, fmt.Errorf("%d labels %s, the model has %d classes: %w", len(labels), from, n, ErrLabels)
		}
		return labels, nil
	}
	if p != nil {
		for _, e := range p.Metadata {
			if e.Key == "names" {
				if names := parseNames(e.Value); names != nil && (n == 0 || len(names) == n) {
					return names, nil
				}
			}
		}
	}
	switch {
	case hd.faces():
		return []string{"face"}, nil
	case n == 80 || n == 0:
		return models.COCOLabels(), nil
	}
	labels = make([]string, n)
	for i := range labels {
		labels[i] = fmt.Sprintf("class %d", i)
	}
	return labels, nil
}

func (c *core) newWorker(conv *preprocess.Converter) *worker {
	w := &worker{sess: c.m.NewSession(), conv: conv, bufs: make([][]float32, len(c.m.Outputs()))}
	w.ins[0] = &w.in
	return w
}

// With returns a view of d with other thresholds (zero fields: the
// family's defaults), sharing its model and buffers: a server's
// per-request thresholds. Closing either closes both.
func (d *Detector) With(th Thresholds) (*Detector, error) {
	th = th.defaults(d.hd)
	if err := th.check(); err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	return &Detector{core: d.core, th: th}, nil
}

// Close releases the detector and, when it was made by Load or
// LoadModel, its model. Calls in flight finish first; later ones fail
// with an error wrapping runtime.ErrClosed.
func (d *Detector) Close() error {
	if d.owned {
		return d.m.Close()
	}
	return nil
}

// Name is the model name Results carry.
func (d *Detector) Name() string { return d.name }

// Family is the family decoding the model's outputs.
func (d *Detector) Family() Family { return d.hd.family }

// Thresholds returns the thresholds in use.
func (d *Detector) Thresholds() Thresholds { return d.th }

// Labels returns the class names. The slice is shared: do not modify it.
func (d *Detector) Labels() []string { return d.labels }

// Preprocess returns the preprocessing options in use (Threads is the
// decoders'); its Place method maps an image into the input tensor.
func (d *Detector) Preprocess() preprocess.Options { return d.decode }

// Model is the model the detector runs.
func (d *Detector) Model() *runtime.Model { return d.m }

// get takes a worker from the free list, or makes one.
func (c *core) get() (*worker, error) { return c.free.Get(c.makeWorker) }

// makeWorker makes a worker with a converter of its own.
func (c *core) makeWorker() (*worker, error) {
	conv, err := preprocess.NewConverter(c.opt)
	if err != nil {
		return nil, err
	}
	return c.newWorker(conv), nil
}

// Detect finds the boxes in a decoded image (no EXIF orientation is
// applied), best first, in the image's pixels.
func (d *Detector) Detect(ctx context.Context, img image.Image) ([]Box, error) {
	var res Result
	err := d.DetectImage(ctx, img, &res)
	return res.Boxes, err
}

// DetectImage is Detect filling res, reusing res.Boxes' array (and their
// Landmarks'): a caller that passes the same Result each time allocates
// nothing in steady state. res.Image is set to "" and MS.Decode to 0.
func (d *Detector) DetectImage(ctx context.Context, img image.Image, res *Result) error {
	b := img.Bounds()
	if b.Empty() {
		return &imageError{fmt.Errorf("detect: empty image (%dx%d)", b.Dx(), b.Dy())}
	}
	w, err := d.get()
	if err != nil {
		return err
	}
	defer d.free.Put(w)
	t0 := time.Now()
	data, shape, err := w.conv.Image(img)
	if err != nil {
		return &imageError{err}
	}
	return d.run(ctx, w, data, shape, b.Dx(), b.Dy(), "", 0, t0, res)
}

// DetectFile decodes the image file at path (JPEG with its EXIF
// orientation, PNG, GIF, BMP, TIFF, WebP, PNM; see preprocess.Decode) and
// fills res with its boxes, res.Image set to path.
func (d *Detector) DetectFile(ctx context.Context, path string, res *Result) error {
	t0 := time.Now()
	px, err := preprocess.Decode(path, d.decode)
	if err != nil {
		return &imageError{err}
	}
	return d.detectPixels(ctx, px, path, time.Since(t0), res)
}

// DetectReader decodes an image read from r (see DetectFile) and fills
// res, res.Image set to name, which also names the image in errors.
func (d *Detector) DetectReader(ctx context.Context, r io.Reader, name string, res *Result) error {
	t0 := time.Now()
	px, err := preprocess.DecodeReader(r, name, d.decode)
	if err != nil {
		return &imageError{err}
	}
	return d.detectPixels(ctx, px, name, time.Since(t0), res)
}

// DetectPixels finds the boxes in decoded pixels (preprocess.Decode with
// d.Preprocess(): upright, in the boxes' coordinates) and fills res,
// res.Image set to name. It lets a caller keep the pixels, to draw on.
func (d *Detector) DetectPixels(ctx context.Context, px *preprocess.Pixels, name string, res *Result) error {
	return d.detectPixels(ctx, px, name, 0, res)
}

func (d *Detector) detectPixels(ctx context.Context, px *preprocess.Pixels, name string, decode time.Duration, res *Result) error {
	w, err := d.get()
	if err != nil {
		return err
	}
	defer d.free.Put(w)
	t0 := time.Now()
	data, shape, err := w.conv.Pixels(px)
	if err != nil {
		return &imageError{fmt.Errorf("%s: %w", name, err)}
	}
	return d.run(ctx, w, data, shape, px.Width, px.Height, name, decode, t0, res)
}

// run feeds the tensor of a iw x ih image to the model and fills res.
func (d *Detector) run(ctx context.Context, w *worker, data []float32, shape []int, iw, ih int, name string, decode time.Duration, t0 time.Time, res *Result) error {
	w.in.Type = onnx.Float
	w.in.Shape = shape
	if d.rank3 {
		w.in.Shape = shape[1:]
	}
	w.in.Data = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(data))), 4*len(data))
	t1 := time.Now()
	outs, err := w.sess.Run(ctx, w.ins[:])
	w.in.Data = nil
	if err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	t2 := time.Now()
	res.Image, res.Model, res.Family = name, d.name, d.hd.family.String()
	if res.Boxes == nil {
		res.Boxes = []Box{}
	}
	res.Boxes = res.Boxes[:0]
	pl, err := d.opt.Place(iw, ih)
	if err != nil {
		return &imageError{err}
	}
	inW, inH := pl.Width, pl.Height
	if err := d.decodeOutputs(w, outs, inW, inH); err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	cs := &w.cs
	switch d.hd.family {
	case BlazeFace:
		cs.blend(float32(d.th.IoU), d.th.MaxDet)
	case NMS:
		cs.sortByScore()
		cs.order = cs.order[:min(len(cs.order), d.th.MaxDet)]
	default:
		cs.suppress(float32(d.th.IoU), d.th.MaxDet, d.th.Agnostic)
	}
	d.fill(res, cs, pl, iw, ih)
	res.MS = Timings{Decode: ms(decode), Preprocess: ms(t1.Sub(t0)), Infer: ms(t2.Sub(t1)), Postprocess: ms(time.Since(t2))}
	return nil
}

// fill maps the kept candidates back to the image, clips them to it and
// appends those left with an area to res.Boxes, reusing the array and
// each Box's Landmarks array.
func (d *Detector) fill(res *Result, cs *candidates, pl preprocess.Placement, iw, ih int) {
	fw, fh := float64(iw), float64(ih)
	for _, i := range cs.order {
		c := &cs.c[i]
		x1, y1 := pl.ToImage(float64(c.x1), float64(c.y1))
		x2, y2 := pl.ToImage(float64(c.x2), float64(c.y2))
		x1, y1, x2, y2 = clip(x1, fw), clip(y1, fh), clip(x2, fw), clip(y2, fh)
		if !(x2 > x1 && y2 > y1) {
			continue // wholly in the letterbox's bars, or outside the photo
		}
		n := len(res.Boxes)
		if n < cap(res.Boxes) {
			res.Boxes = res.Boxes[:n+1]
		} else {
			res.Boxes = append(res.Boxes, Box{})
		}
		b := &res.Boxes[n]
		b.X1, b.Y1, b.X2, b.Y2 = x1, y1, x2, y2
		b.Score, b.Class, b.Label = float64(c.score), int(c.class), d.label(int(c.class))
		b.Landmarks = b.Landmarks[:0]
		if c.lm >= 0 {
			for j := range cs.landmarks {
				x, y := pl.ToImage(float64(cs.lms[int(c.lm)+2*j]), float64(cs.lms[int(c.lm)+2*j+1]))
				b.Landmarks = append(b.Landmarks, Point{x, y})
			}
		} else {
			b.Landmarks = nil
		}
	}
}

// label names class k.
func (d *Detector) label(k int) string {
	if k >= 0 && k < len(d.labels) {
		return d.labels[k]
	}
	if k < 0 {
		return "unknown"
	}
	return classNames[min(k, len(classNames)-1)]
}

// classNames are "class N" for classes beyond the labels (NMS models).
var classNames = func() []string {
	s := make([]string, 1024)
	for i := range s {
		s[i] = fmt.Sprintf("class %d", i)
	}
	return s
}()

func clip(v, hi float64) float64 {
	if !(v > 0) { // NaN too
		return 0
	}
	return min(v, hi)
}

// floats returns t's values as float32: t's own for float32, converted
// into *buf otherwise.
func floats(t *ops.Tensor, buf *[]float32) ([]float32, error) {
	if t.Type == onnx.Float {
		return t.F32(), nil
	}
	n := t.Len()
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	b := (*buf)[:n]
	switch t.Type {
	case onnx.Float16:
		for i, v := range t.U16() {
			b[i] = onnx.F16ToF32(v)
		}
	case onnx.Double:
		for i, v := range t.F64() {
			b[i] = float32(v)
		}
	case onnx.Int64:
		for i, v := range t.I64() {
			b[i] = float32(v)
		}
	case onnx.Int32:
		for i, v := range t.I32() {
			b[i] = float32(v)
		}
	default:
		return nil, fmt.Errorf("output of type %s: want a number type: %w", ops.TypeName(t.Type), ErrNotDetector)
	}
	return b, nil
}

// decodeOutputs turns the outputs of one run on a w x h input into
// candidates, checking their sizes against the head.
func (d *Detector) decodeOutputs(wk *worker, outs []*ops.Tensor, w, h int) error {
	hd := d.hd
	cs := &wk.cs
	cs.reset(float32(d.th.Conf), hd.landmarks)
	get := func(k int) ([]float32, int, int, error) {
		i := hd.outs[k]
		if i < 0 || i >= len(outs) {
			return nil, 0, 0, fmt.Errorf("the model gave %d outputs: %w", len(outs), ErrNotDetector)
		}
		v, err := floats(outs[i], &wk.bufs[i])
		if err != nil {
			return nil, 0, 0, err
		}
		n, dd, ok := output{shape: outs[i].Shape}.rows()
		if !ok {
			n, dd = len(v), 1
		}
		return v, n, dd, nil
	}
	switch hd.family {
	case YOLOv5, YOLOX, NanoDet:
		v, n, dd, err := get(0)
		if err != nil {
			return err
		}
		switch {
		case hd.family == YOLOv5 && dd != hd.classes+5,
			hd.family == YOLOX && (dd != hd.classes+5 || n != gridCells(w, h, hd.strides)),
			hd.family == NanoDet && (dd != hd.classes+4*(hd.regMax+1) || n != gridCells(w, h, hd.strides)):
			return fmt.Errorf("output %v at %dx%d is not the %s head recognised at load: %w", outs[hd.outs[0]].Shape, w, h, hd.family, ErrNotDetector)
		}
		switch hd.family {
		case YOLOv5:
			decodeYOLOv5(cs, v, n, dd)
		case YOLOX:
			decodeYOLOX(cs, v, n, dd, w, h, hd.strides)
		default:
			decodeNanoDet(cs, v, n, dd, hd.classes, hd.regMax, w, h, hd.strides)
		}
	case YOLOv8:
		v, c, n, err := get(0)
		if err != nil {
			return err
		}
		if c != hd.classes+4 {
			return fmt.Errorf("output %v is not the [%d, N] head recognised at load: %w", outs[hd.outs[0]].Shape, hd.classes+4, ErrNotDetector)
		}
		decodeYOLOv8(cs, v, n, hd.classes)
	case SSD, RetinaFace, BlazeFace:
		b, n, bd, err := get(0)
		if err != nil {
			return err
		}
		s, sn, sd, err := get(1)
		if err != nil {
			return err
		}
		if sn != n || (hd.priors != nil && hd.priors.count(w, h) != n) {
			return fmt.Errorf("outputs of %d and %d rows at %dx%d do not fit the %s head recognised at load: %w", n, sn, w, h, hd.family, ErrNotDetector)
		}
		switch hd.family {
		case SSD:
			if bd != 4 || sd != hd.classes+1 {
				return fmt.Errorf("outputs of %d and %d columns, want 4 and %d: %w", bd, sd, hd.classes+1, ErrNotDetector)
			}
			decodeSSD(cs, b, s, n, sd, hd, w, h)
		case BlazeFace:
			if bd != 4+2*hd.landmarks || sd != 1 {
				return fmt.Errorf("outputs of %d and %d columns, want %d and 1: %w", bd, sd, 4+2*hd.landmarks, ErrNotDetector)
			}
			decodeBlazeFace(cs, b, s, n, bd, hd, w, h)
		default:
			l, ln, ld, err := get(2)
			if err != nil {
				return err
			}
			if bd != 4 || sd != 2 || ld != 10 || ln != n {
				return fmt.Errorf("outputs [%d, %d], [%d, %d], [%d, %d], want [N, 4], [N, 2], [N, 10]: %w", n, bd, sn, sd, ln, ld, ErrNotDetector)
			}
			decodeRetinaFace(cs, b, s, l, n, hd, w, h)
		}
	case SCRFD, YuNet:
		return d.decodeStrided(wk, outs, w, h)
	case NMS:
		rows, err := floats(outs[hd.outs[0]], &wk.bufs[hd.outs[0]])
		if err != nil {
			return err
		}
		if hd.nmsCols != 4 {
			decodeNMS(cs, hd.nmsCols, rows, nil, nil, 0)
			break
		}
		var vals [3][]float32
		for k := range 3 {
			i := hd.outs[k+1]
			if vals[k], err = floats(outs[i], &wk.bufs[i]); err != nil {
				return err
			}
		}
		count := len(vals[1])
		if len(vals[0]) > 0 {
			count = int(min(max(vals[0][0], 0), float32(count)))
		}
		decodeNMS(cs, 4, rows, vals[1], vals[2], count)
	}
	return nil
}

// decodeStrided decodes SCRFD's and YuNet's per-stride maps.
func (d *Detector) decodeStrided(wk *worker, outs []*ops.Tensor, w, h int) error {
	cs := &wk.cs
	for _, lv := range d.hd.levels {
		cols := ceilDiv(w, lv.stride)
		n := cols * ceilDiv(h, lv.stride) * lv.anchors
		var maps [4][]float32
		for k, i := range [4]int{lv.score, lv.obj, lv.box, lv.lm} {
			if i < 0 {
				continue
			}
			if i >= len(outs) {
				return fmt.Errorf("the model gave %d outputs: %w", len(outs), ErrNotDetector)
			}
			v, err := floats(outs[i], &wk.bufs[i])
			if err != nil {
				return err
			}
			width := [4]int{1, 1, 4, 10}[k]
			if err := checkRows(outs[i].Shape, len(v), n, width); err != nil {
				return fmt.Errorf("stride %d at %dx%d: %w: %w", lv.stride, w, h, err, ErrNotDetector)
			}
			maps[k] = v
		}
		if d.hd.family == YuNet {
			decodeYuNet(cs, maps[0], maps[1], maps[2], maps[3], lv, cols)
		} else {
			decodeSCRFD(cs, maps[0], maps[2], maps[3], lv, cols)
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }
