// Command edgeinfer names what is in photos with an ONNX image classifier
// (a built-in SqueezeNet 1.0 when no model is given); it also finds
// objects and faces with ONNX detectors, inspects
// models, runs ONNX backend-style test folders, benchmarks, and writes the
// synthetic benchmark models.
//
//	edgeinfer [flags] [MODEL.onnx] IMAGE|DIR|-...   classify images
//	edgeinfer demo                            classify a built-in photo with the built-in model
//	edgeinfer serve [-addr 127.0.0.1:8080] [flags] [[NAME=]MODEL.onnx|DIR...]   answer inference requests over HTTP (package serve)
//	edgeinfer detect [flags] MODEL.onnx IMAGE|DIR|-...   find objects or faces, draw them with -o
//	edgeinfer inspect [-json] [-shape NAME:DIMS]... MODEL.onnx   describe a model and its memory plan
//	edgeinfer test [-rtol R] [-atol A] [-v] DIR...
//	edgeinfer bench [-threads N] [-precision fp32|fp16] [-runs R] [-warmup W] [-shape NAME:DIMS]... [-json] MODEL.onnx
//	edgeinfer gen NAME -o FILE                write alexnet, resnet18, resnet34, resnet50
//	edgeinfer quantize -calib DIR [MODEL.onnx] -o OUT.onnx   int8 post-training quantization
//	edgeinfer ops                             list the supported operators
//	edgeinfer version                         version, commit, Go, platform, SGEMM kernel
//
// Every command takes -h for its flags. Errors are one line on stderr,
// prefixed "edgeinfer: "; the exit code is 2 for bad input or usage, 1 when
// `edgeinfer test` had failures or some of several images failed.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/models"
)

// exitError carries an exit code through the command functions. An empty
// err prints nothing.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// helpRequest is a command's -h: its text goes to stdout, exit 0.
type helpRequest struct{ text string }

func (h *helpRequest) Error() string { return h.text }

func main() {
	os.Exit(runIO(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process (and without standard input).
func run(args []string, stdout, stderr io.Writer) int {
	return runIO(args, strings.NewReader(""), stdout, stderr)
}

// runIO is main without the process: it returns the exit code.
func runIO(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "edgeinfer: internal error: %v\n", r)
			code = 2
		}
	}()
	var err error
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "detect":
		err = cmdDetect(args[1:], stdin, stdout, stderr)
	case "inspect":
		err = cmdInspect(args[1:], stdout)
	case "test":
		err = cmdTest(args[1:], stdout)
	case "bench":
		err = cmdBench(args[1:], stdout)
	case "gen":
		err = cmdGen(args[1:], stdout)
	case "quantize":
		err = cmdQuantize(args[1:], stdout, stderr)
	case "demo":
		err = cmdDemo(args[1:], stdout)
	case "serve":
		err = cmdServe(args[1:], stderr)
	case "ops":
		err = cmdOps(args[1:], stdout)
	case "version":
		err = cmdVersion(args[1:], stdout)
	case "help":
		if len(args) > 1 && commands[args[1]].synopsis != "" {
			return runIO([]string{args[1], "-h"}, stdin, stdout, stderr)
		}
		return runIO([]string{"-h"}, stdin, stdout, stderr)
	default:
		err = cmdClassify(args, stdin, stdout, stderr)
	}
	if err == nil {
		return 0
	}
	var help *helpRequest
	if errors.As(err, &help) {
		fmt.Fprint(stdout, help.text)
		return 0
	}
	code = 2
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil || ee.err.Error() == "" {
			return code
		}
	}
	fmt.Fprintf(stderr, "edgeinfer: %s\n", message(err))
	return code
}

// message is err's text on one line without a leading "edgeinfer: ".
func message(err error) string {
	return strings.TrimPrefix(oneLine(err.Error()), "edgeinfer: ")
}

// command describes a subcommand for usage and -h.
type command struct {
	synopsis string // after "edgeinfer "
	about    string
}

// commands are the subcommands by name; "" is classification.
var commands = map[string]command{
	"": {"[-k 5] [-labels FILE] [-preset auto|torchvision|caffe|raw255|unit|inception] [-threads N] [-precision fp32|fp16] [-json] [MODEL.onnx] IMAGE|DIR|-...",
		"Names what is in each image: a top-k table (rank, class index, label, probability) with\n" +
			"decode, preprocess and inference times, or one JSON object per image with -json. Without a\n" +
			"MODEL.onnx (the first argument, when its name ends in .onnx) the built-in SqueezeNet 1.0 is used.\n" +
			"A folder means its images (sorted, not recursive); - reads one image from standard input.\n" +
			"With several images a bad one is reported and the others still run; the exit code is then 1."},
	"demo": {"demo [-threads N]", "Classifies a built-in photo (chelsea.jpg, a cat) with the built-in SqueezeNet 1.0."},
	"serve": {"serve [-addr 127.0.0.1:8080] [-threads N] [-max-body 32MiB] [-timeout 10s] [-sessions N] [-grace 20s] [[NAME=]MODEL.onnx|DIR...]",
		"Answers inference requests over HTTP (KServe/Triton v2, classification, detection, metrics).\n\n" +
			"Endpoints: the Open Inference Protocol v2 (POST /v2/models/NAME/infer, GET /v2/models/NAME,\n" +
			"/v2/health/live, /v2/health/ready), POST /v1/models/NAME/classify?k=5 and\n" +
			"/v1/models/NAME/detect?conf=0.3 with an image as the body (answering the JSON of -json and of\n" +
			"detect -json), and Prometheus GET /metrics. Each model is named after its file\n" +
			"without .onnx, or NAME given as NAME=PATH; a folder means its .onnx files (NAME=DIR: its one\n" +
			"file); without any the built-in SqueezeNet 1.0 is served as squeezenet. SIGTERM or SIGINT\n" +
			"stops it gracefully. Logs go to stderr. Exit 0 after a stop, 2 when a model does not load, 1\n" +
			"when the address cannot be listened on."},
	"detect": {"detect [-conf 0.25] [-iou 0.45] [-labels FILE] [-family auto|yolov5|yolov8|yolox|...] [-o annotated.jpg] [-json] MODEL.onnx IMAGE|DIR|-...",
		"Finds objects or faces in photos: labelled, scored boxes (and landmarks) in the photo's pixels.\n\n" +
			"One line per box, or one JSON object per image with -json; -o draws them. The detector family (YOLOv5/v7, YOLOv8/v9/11, YOLOX,\n" +
			"NanoDet, SSD/UltraFace, RetinaFace, SCRFD, YuNet, BlazeFace, models with NMS inside) is recognised\n" +
			"from the model's outputs; it sets the preprocessing and the default thresholds."},
	"inspect": {"inspect [-json] [-shape NAME:1x3x224x224]... MODEL.onnx", "Describes a model: opsets, inputs and outputs, operators, parameters, multiply-adds and memory plan."},
	"test":    {"test [-rtol 1e-3] [-atol 1e-5] [-v] [-threads N] DIR...", "Runs ONNX backend-style test folders (model.onnx + test_data_set_*); exit 1 if any failed."},
	"bench":   {"bench [-threads N] [-precision fp32|fp16] [-runs 20] [-warmup 3] [-shape NAME:1x3x224x224]... [-json] MODEL.onnx", "Times runs of a model on a synthetic input: median, p90, min, allocations, memory."},
	"gen": {"gen [-seed 1] [-batch 0] " + strings.Join(models.Names(), "|") + " -o FILE",
		"Writes a torchvision classifier or YOLOv8n as torch.onnx exports it, with seeded synthetic weights (for benchmarks)."},
	"quantize": {"quantize [-calib DIR | -calib-random N] [-method minmax|percentile|entropy] [-per-channel] [-exclude NODE,...] [MODEL.onnx] -o MODEL-int8.onnx",
		"Quantizes a float model to int8 (QDQ) calibrated on images, and reports how it agrees with the float one."},
	"ops":     {"ops", "Lists the supported operators (Markdown)."},
	"version": {"version", "Prints the version, VCS commit, Go version, platform and the SGEMM kernel in use."},
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}

// newFlags makes a flag set for a subcommand ("" for classification) that
// reports usage errors as errors, not exits.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// helpText is a command's -h output: synopsis, description, flags with defaults.
func helpText(fs *flag.FlagSet) string {
	c := commands[fs.Name()]
	if fs.Name() == "edgeinfer" {
		c = commands[""]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "usage: edgeinfer %s\n\n%s\n", c.synopsis, c.about)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\nflags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if fs.Name() == "edgeinfer" {
		b.WriteString("\nother commands (edgeinfer COMMAND -h for each one's flags):\n")
		for _, name := range []string{"demo", "detect", "serve", "inspect", "test", "bench", "gen", "quantize", "ops", "version"} {
			summary, _, _ := strings.Cut(commands[name].about, "\n")
			fmt.Fprintf(&b, "  edgeinfer %-12s %s\n", name, summary)
		}
	}
	return b.String()
}

// parseFlags parses args allowing flags after positional arguments. "-"
// alone is a positional argument (standard input).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{helpText(fs)}
			}
			if fs.Name() == "edgeinfer" {
				return nil, fmt.Errorf("%w (edgeinfer -h lists the flags)", err)
			}
			return nil, fmt.Errorf("%s: %w (edgeinfer %s -h lists its flags)", fs.Name(), err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// byteSize is a flag of a byte count: 1048576, 1024KiB, 32MiB, 1GiB.
type byteSize int64

func (b *byteSize) String() string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if *b != 0 && *b%(1<<u.shift) == 0 {
			return strconv.FormatInt(int64(*b)>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	num, shift := s, uint(0)
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, shift = n, u.shift
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return fmt.Errorf("%q is not a size: want bytes, or a number with KiB, MiB or GiB", s)
	}
	*b = byteSize(n << shift)
	return nil
}
