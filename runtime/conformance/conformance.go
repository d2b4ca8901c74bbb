// Package conformance runs ONNX backend-style test directories: a folder
// holding model.onnx and test_data_set_*/input_K.pb, output_K.pb, as the
// official ONNX node tests and the model zoo ship them. The `edgeinfer test`
// command and the project's own conformance tests share this code path.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Status is the outcome of one test directory.
type Status int

// Outcomes.
const (
	Pass Status = iota
	Fail
	Skip
)

func (s Status) String() string { return [...]string{"PASS", "FAIL", "SKIP"}[s] }

// Options are the comparison tolerances: a float element passes when
// |got-want| <= ATol + RTol*|want|. Integer and bool elements must match exactly.
type Options struct {
	RTol, ATol float64
	Threads    int
}

// DefaultOptions are the ONNX backend test tolerances.
var DefaultOptions = Options{RTol: 1e-3, ATol: 1e-5}

// Result is the outcome of one test directory.
type Result struct {
	Name      string
	Dir       string
	Status    Status
	Sets      int     // data sets run
	MaxAbsErr float64 // over every float output element of every set
	Reason    string  // why it failed or was skipped
	// Random is set when the model draws random numbers (Bernoulli,
	// RandomUniformLike, training-mode Dropout...) and its outputs differ
	// from the expected ones: the specification leaves the generator to the
	// implementation, so such a test passes when every output has the
	// expected type and shape and, for Bernoulli, only zeros and ones.
	Random bool
}

// Find expands dirs into test directories: a dir holding model.onnx is one
// test; otherwise each immediate subdirectory holding model.onnx is.
func Find(dirs []string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		if isFile(filepath.Join(d, "model.onnx")) {
			out = append(out, d)
			continue
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			return nil, fmt.Errorf("test dir %s: %w", d, err)
		}
		found := 0
		for _, e := range ents {
			sub := filepath.Join(d, e.Name())
			if e.IsDir() && isFile(filepath.Join(sub, "model.onnx")) {
				out = append(out, sub)
				found++
			}
		}
		if found == 0 {
			return nil, fmt.Errorf("test dir %s: no model.onnx in it or in its subdirectories", d)
		}
	}
	return out, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Summary counts results by status.
func Summary(rs []Result) (pass, fail, skip int) {
	for _, r := range rs {
		switch r.Status {
		case Pass:
			pass++
		case Fail:
			fail++
		case Skip:
			skip++
		}
	}
	return
}

// Line is the one-line report of a result, as `edgeinfer test` prints it.
// A reason of several lines (errors joined) is folded onto one, its lines
// separated by "; ".
func (r Result) Line() string {
	switch r.Status {
	case Pass:
		if r.Random {
			return fmt.Sprintf("PASS %s (random outputs: types, shapes and ranges checked)", r.Name)
		}
		return fmt.Sprintf("PASS %s (max abs err %.3g)", r.Name, r.MaxAbsErr)
	default:
		return fmt.Sprintf("%s %s: %s", r.Status, r.Name, strings.ReplaceAll(r.Reason, "\n", "; "))
	}
}

// RunDir runs every test_data_set_* of one test directory.
func RunDir(dir string, opt Options) Result {
	r := Result{Name: filepath.Base(dir), Dir: dir}
	fail := func(s Status, format string, a ...any) Result {
		r.Status, r.Reason = s, fmt.Sprintf(format, a...)
		return r
	}
	p, err := onnx.Open(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return fail(Fail, "%v", err)
	}
	defer p.Close()
	if why := unsupportedIO(p); why != "" {
		return fail(Skip, "%s", why)
	}
	var ropts []runtime.Option
	if opt.Threads > 0 {
		ropts = append(ropts, runtime.WithThreads(opt.Threads))
	}
	m, err := runtime.LoadModel(p, ropts...)
	if err != nil {
		if errors.Is(err, ops.ErrUnsupported) {
			return fail(Skip, "%v", err)
		}
		return fail(Fail, "%v", err)
	}
	defer m.Close()
	random := randomOp(p)
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Strings(sets)
	if len(sets) == 0 {
		return fail(Fail, "no test_data_set_* in %s", dir)
	}
	for _, set := range sets {
		ins, err := readTensors(set, "input", len(m.Inputs()))
		if err != nil {
			return fail(Fail, "%v", err)
		}
		want, err := readTensors(set, "output", -1)
		if err != nil {
			return fail(Fail, "%v", err)
		}
		got, err := m.Run(context.Background(), ins)
		if err != nil {
			if errors.Is(err, ops.ErrUnsupported) {
				return fail(Skip, "%v", err)
			}
			return fail(Fail, "%s: %v", filepath.Base(set), err)
		}
		if len(got) < len(want) {
			return fail(Fail, "%s: got %d outputs, want %d", filepath.Base(set), len(got), len(want))
		}
		for k := range want {
			e, err := compare(got[k], want[k], opt)
			if err != nil && random != "" {
				if err = plausible(random, got[k], want[k]); err == nil {
					r.Random = true
					continue
				}
			}
			r.MaxAbsErr = math.Max(r.MaxAbsErr, e)
			if err != nil {
				return fail(Fail, "%s output %d: %v", filepath.Base(set), k, err)
			}
		}
		r.Sets++
	}
	r.Status = Pass
	return r
}

// randomOps are the operators whose outputs come from a random generator
// the specification leaves to the implementation.
var randomOps = map[string]bool{
	"RandomNormal": true, "RandomUniform": true, "RandomNormalLike": true, "RandomUniformLike": true,
	"Bernoulli": true, "Multinomial": true, "Dropout": true,
}

// randomOp names the first random operator of p's graph, or is "". Dropout
// counts: in training mode with a positive ratio its mask is random.
func randomOp(p *onnx.Model) string {
	for _, n := range p.Graph.Nodes {
		if randomOps[n.OpType] && ops.NormDomain(n.Domain) == "" {
			return n.OpType
		}
	}
	return ""
}

// plausible checks an output of a random operator op: its type and shape,
// and for Bernoulli that every element is 0 or 1.
func plausible(op string, got, want *ops.Tensor) error {
	if got.Type != want.Type || !ops.SameShape(got.Shape, want.Shape) {
		return fmt.Errorf("got %s, want %s", got, want)
	}
	if op == "Bernoulli" {
		g, _ := values(got)
		for i, v := range g {
			if v != 0 && v != 1 {
				return fmt.Errorf("element %d of a Bernoulli draw is %v", i, v)
			}
		}
	}
	return nil
}

// unsupportedIO names a graph input or output whose type is not computed.
func unsupportedIO(p *onnx.Model) string {
	if p.Graph == nil {
		return ""
	}
	for _, list := range [][]*onnx.ValueInfo{p.Graph.Inputs, p.Graph.Outputs} {
		for _, vi := range list {
			switch {
			case vi.Type.Kind == onnx.KindSequence:
				return fmt.Sprintf("%q is a sequence: unsupported type", vi.Name)
			case vi.Type.Kind == onnx.KindOptional:
				return fmt.Sprintf("%q is an optional: unsupported type", vi.Name)
			case vi.Type.Kind == onnx.KindTensor && !ops.Supported(vi.Type.Elem):
				return fmt.Sprintf("%q has element type %s: unsupported type", vi.Name, vi.Type.Elem)
			}
		}
	}
	return ""
}

// readTensors reads prefix_0.pb, prefix_1.pb, ... from dir; n < 0 reads all present.
func readTensors(dir, prefix string, n int) ([]*ops.Tensor, error) {
	var out []*ops.Tensor
	for k := 0; n < 0 || k < n; k++ {
		path := filepath.Join(dir, fmt.Sprintf("%s_%d.pb", prefix, k))
		b, err := os.ReadFile(path)
		if err != nil {
			if n < 0 && errors.Is(err, os.ErrNotExist) {
				break
			}
			return nil, err
		}
		pt, err := onnx.DecodeTensor(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		t, err := ops.FromProto(pt, dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// compare checks got against want and returns the max abs error of float elements.
func compare(got, want *ops.Tensor, opt Options) (float64, error) {
	if !ops.SameShape(got.Shape, want.Shape) {
		return 0, fmt.Errorf("shape %v, want %v", got.Shape, want.Shape)
	}
	g, gf := values(got)
	w, wf := values(want)
	if g == nil || w == nil {
		return 0, fmt.Errorf("cannot compare %s with %s", got, want)
	}
	if gf != wf {
		return 0, fmt.Errorf("type %s, want %s", ops.TypeName(got.Type), ops.TypeName(want.Type))
	}
	maxErr, bad, first := 0.0, 0, -1
	for i := range w {
		a, b := g[i], w[i]
		if !wf {
			if a != b {
				bad++
				if first < 0 {
					first = i
				}
			}
			continue
		}
		if math.IsNaN(b) {
			if !math.IsNaN(a) {
				bad++
				if first < 0 {
					first = i
				}
			}
			continue
		}
		if math.IsInf(b, 0) && a == b {
			continue
		}
		d := math.Abs(a - b)
		if d > maxErr || math.IsNaN(d) {
			maxErr = d
		}
		if !(d <= opt.ATol+opt.RTol*math.Abs(b)) {
			bad++
			if first < 0 {
				first = i
			}
		}
	}
	if bad > 0 {
		return maxErr, fmt.Errorf("%d of %d elements differ (first at %d: got %v, want %v; max abs err %.3g)", bad, len(w), first, g[first], w[first], maxErr)
	}
	return maxErr, nil
}

// values widens a tensor's elements to float64; isFloat says whether they are floating point.
// Integers beyond 2^53 are rare in test outputs; they compare after the same rounding.
func values(t *ops.Tensor) ([]float64, bool) {
	n := t.Len()
	out := make([]float64, n)
	switch t.Type {
	case onnx.Float:
		for i, v := range t.F32()[:n] {
			out[i] = float64(v)
		}
		return out, true
	case onnx.Double:
		copy(out, t.F64()[:n])
		return out, true
	case onnx.Float16:
		for i, v := range t.U16()[:n] {
			out[i] = float64(onnx.F16ToF32(v))
		}
		return out, true
	case onnx.BFloat16:
		for i, v := range t.U16()[:n] {
			out[i] = float64(onnx.BF16ToF32(v))
		}
		return out, true
	case onnx.Int8:
		return widen(t.I8()[:n], out), false
	case onnx.Int16:
		return widen(t.I16()[:n], out), false
	case onnx.Int32:
		return widen(t.I32()[:n], out), false
	case onnx.Int64:
		return widen(t.I64()[:n], out), false
	case onnx.Uint8, onnx.Bool:
		return widen(t.U8()[:n], out), false
	case onnx.Uint16:
		return widen(t.U16()[:n], out), false
	case onnx.Uint32:
		return widen(t.U32()[:n], out), false
	case onnx.Uint64:
		return widen(t.U64()[:n], out), false
	}
	return nil, false
}

func widen[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](in []T, out []float64) []float64 {
	for i, v := range in {
		out[i] = float64(v)
	}
	return out
}

// Summary line: exactly "N passed, N failed, N skipped".
func SummaryLine(rs []Result) string {
	p, f, s := Summary(rs)
	return fmt.Sprintf("%d passed, %d failed, %d skipped", p, f, s)
}
