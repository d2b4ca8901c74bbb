package runtime

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	ops.Register(testDomain, "InferPanic", 1, func(*onnx.Node, int) (ops.Op, error) { return inferPanicOp{}, nil })
	ops.Register(testDomain, "BuildPanic", 1, func(*onnx.Node, int) (ops.Op, error) { panic("builder bug") })
}

// inferPanicOp panics in Infer, as an operator with a shape inference bug would.
type inferPanicOp struct{ panicOp }

func (inferPanicOp) Infer([]ops.Value) ([]ops.Value, error) { panic("infer bug") }

// ruleCase is a model breaking one rule (or limit), and the error wanted:
// at load, or at the first run on the given inputs.
type ruleCase struct {
	name  string
	model func() *onnx.Model
	opts  []Option
	run   []*ops.Tensor // nil: the error comes from LoadModel
	want  []string      // fragments of the error
}

// ruleCases has one case per validation rule and per limit.
func ruleCases() []ruleCase {
	relu := func() *builder {
		return newBuilder(13).input("x", onnx.Float, 4).node("Relu", s("x"), s("y")).output("y", onnx.Float, 4)
	}
	chain := func(n int) *onnx.Model {
		b := newBuilder(13).input("x", onnx.Float, 4)
		prev := "x"
		for i := range n {
			out := "r" + string(rune('a'+i))
			b.node("Relu", s(prev), s(out))
			prev = out
		}
		return b.output(prev, onnx.Float, 4).m
	}
	i64 := func(v ...int64) *ops.Tensor { return ops.FromI64(v, len(v)) }
	conv := func(attrs ...*onnx.Attribute) *onnx.Model {
		return newBuilder(13).input("x", onnx.Float, 1, 1, 4, 4).
			init("w", ops.FromF32([]float32{1}, 1, 1, 1, 1)).
			node("Conv", s("x", "w"), s("y"), attrs...).output("y", onnx.Float).m
	}
	big := []int64{1 << 15, 1 << 15, 1 << 15} // 2^45 elements
	x4 := []*ops.Tensor{ops.FromF32([]float32{1, 2, 3, 4}, 4)}
	return []ruleCase{
		{name: "too many nodes", model: func() *onnx.Model { return chain(11) }, opts: []Option{WithLimits(Limits{MaxNodes: 10})},
			want: []string{"graph has 11 nodes, over the limit of 10 (Limits.MaxNodes)"}},
		{name: "opset listed twice", model: func() *onnx.Model {
			m := relu().m
			m.OpsetImports = append(m.OpsetImports, onnx.OpsetID{Domain: "ai.onnx", Version: 13})
			return m
		}, want: []string{"opset_import lists the default ONNX domain twice"}},
		{name: "opset version 0", model: func() *onnx.Model {
			m := relu().m
			m.OpsetImports[0].Version = 0
			return m
		}, want: []string{"opset_import: the default ONNX domain has version 0, versions start at 1"}},
		{name: "unknown future opset", model: func() *onnx.Model {
			m := relu().m
			m.OpsetImports[0].Version = 99
			return m
		}, want: []string{"the default ONNX domain has version 99, newer than the newest edgeinfer knows (28)"}},
		{name: "domain not imported", model: func() *onnx.Model {
			m := relu().m
			m.Graph.Nodes[0].Domain = "com.example"
			return m
		}, want: []string{`Relu (domain "com.example", which the model does not import) at node "y"`}},
		{name: "node without outputs", model: func() *onnx.Model {
			m := newBuilder(13).input("x", onnx.Float, 4).node("Relu", s("x"), s("y")).node("Clip", s("x"), s("z")).output("y", onnx.Float, 4).m
			m.Graph.Nodes[1].Outputs = nil
			return m
		}, opts: []Option{WithOptimizations(false)}, want: []string{`node 1 (Clip "z"): has no outputs`}},
		{name: "many unsupported nodes", model: func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 4)
			for i := range 10 {
				b.node("Frob", s("x"), s("f"+strconv.Itoa(i)))
			}
			return b.output("f9", onnx.Float, 4).m
		}, want: []string{`Frob (opset 13) at nodes "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", and 2 more`}},
		{name: "no outputs", model: func() *onnx.Model {
			m := relu().m
			m.Graph.Outputs = nil
			return m
		}, want: []string{"graph has no outputs"}},
		{name: "nameless initializer", model: func() *onnx.Model {
			return relu().init("", ops.FromF32([]float32{1}, 1)).m
		}, want: []string{"initializer 0 has no name"}},
		{name: "nameless input", model: func() *onnx.Model {
			return relu().input("", onnx.Float, 4).m
		}, want: []string{"graph input 1 has no name"}},
		{name: "nameless output", model: func() *onnx.Model {
			return relu().output("", onnx.Float, 4).m
		}, want: []string{"graph output 1 has no name"}},
		{name: "declared rank over the limit", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, 1, 1, 1, 1).node("Relu", s("x"), s("y")).output("y", onnx.Float).m
		}, opts: []Option{WithLimits(Limits{MaxRank: 3})},
			want: []string{`graph input "x": declared shape: rank 4 is over the limit of 3 (Limits.MaxRank)`}},
		{name: "declared input too large", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, "N", 1<<20, 1<<20).node("Relu", s("x"), s("y")).output("y", onnx.Float).m
		}, want: []string{`graph input "x": declared shape: float32[1 1048576 1048576] needs more than 536870912 bytes, the limit for one tensor (Limits.MaxTensorBytes)`}},
		{name: "declared inputs together too large", model: func() *onnx.Model {
			return newBuilder(13).input("a", onnx.Float, 100<<20).input("b", onnx.Float, 100<<20).
				node("Add", s("a", "b"), s("y")).output("y", onnx.Float).m
		}, want: []string{"the graph inputs' declared shapes need 838860800 bytes together, over the memory limit of 805306368 (Limits.MaxMemory)"}},
		{name: "initializer over the tensor limit", model: func() *onnx.Model {
			return relu().init("w", ops.New(onnx.Float, 64)).m
		}, opts: []Option{WithLimits(Limits{MaxTensorBytes: 100})},
			want: []string{`initializer "w": float32[64] needs more than 100 bytes, the limit for one tensor`}},
		{name: "initializer rank over the limit", model: func() *onnx.Model {
			return relu().init("w", ops.New(onnx.Float, 1, 1, 1)).m
		}, opts: []Option{WithLimits(Limits{MaxRank: 2})},
			want: []string{`initializer "w": rank 3 is over the limit of 2`}},
		{name: "initializer with negative dimension", model: func() *onnx.Model {
			m := relu().init("w", ops.New(onnx.Float, 1)).m
			m.Graph.Initializer[0].Dims = []int64{-1}
			return m
		}, want: []string{`initializer "w": dimension 0 is -1: dimensions cannot be negative`}},
		{name: "ConstantOfShape of 2^45 elements", model: func() *onnx.Model {
			return newBuilder(13).init("shape", i64(big...)).input("x", onnx.Float, 4).
				node("ConstantOfShape", s("shape"), s("c")).node("Relu", s("x"), s("y")).output("y", onnx.Float).output("c", onnx.Float).m
		}, want: []string{`ConstantOfShape "c": output "c": float32[32768 32768 32768] needs more than 536870912 bytes`}},
		{name: "ConstantOfShape from a plan-time shape", model: func() *onnx.Model {
			return newBuilder(13).input("shape", onnx.Int64, 3).
				node("ConstantOfShape", s("shape"), s("c")).output("c", onnx.Float).m
		}, run: []*ops.Tensor{i64(big...)},
			want: []string{`ConstantOfShape "c": output "c": float32[32768 32768 32768] needs more than 536870912 bytes`}},
		{name: "Reshape whose dimensions overflow", model: func() *onnx.Model {
			// (2^62 + 1) * 4 wraps around to 4, the element count of x, in 64 bits.
			return newBuilder(13).input("x", onnx.Float, 4).init("shape", i64(1<<62+1, 4)).
				node("Reshape", s("x", "shape"), s("y")).output("y", onnx.Float).m
		}, run: x4, want: []string{`Reshape "y": shape entry 0 is 4611686018427387905, out of range`}},
		{name: "Pad to huge dimensions", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, 4).init("pads", i64(0, 1<<40)).
				node("Pad", s("x", "pads"), s("y")).output("y", onnx.Float).m
		}, run: x4, want: []string{`Pad "y"`}},
		{name: "growth by repeated Concat", model: func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 1, 1024)
			prev := "x"
			for i := range 20 {
				out := "c" + string(rune('a'+i))
				b.node("Concat", s(prev, prev), s(out), aInt("axis", 0))
				prev = out
			}
			return b.output(prev, onnx.Float).m
		}, run: []*ops.Tensor{ops.New(onnx.Float, 1, 1024)},
			want: []string{`Concat "cr": output "cr": float32[262144 1024] needs more than 536870912 bytes`}},
		{name: "constants folded at load over the memory limit", model: func() *onnx.Model {
			return newBuilder(13).init("shape", i64(250)).input("x", onnx.Float, 250).
				node("ConstantOfShape", s("shape"), s("c1")).node("ConstantOfShape", s("shape"), s("c2")).
				node("Sum", s("x", "c1", "c2"), s("y")).output("y", onnx.Float).m
		}, opts: []Option{WithLimits(Limits{MaxTensorBytes: 1000, MaxMemory: 1500})},
			want: []string{`ConstantOfShape "c2": folding constants would need more than 1500 bytes (Limits.MaxMemory)`}},
		{name: "workspace over the memory limit", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, "N").tnode("Affine", s("x"), s("y")).output("y", onnx.Float).m
		}, opts: []Option{WithLimits(Limits{MaxMemory: 3000})}, run: []*ops.Tensor{ops.New(onnx.Float, 1000)},
			want: []string{`Affine "y": workspace of 4000 bytes is over the memory limit of 3000 bytes`}},
		{name: "plan over the memory limit", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, "N").node("Relu", s("x"), s("r")).node("Relu", s("r"), s("y")).output("y", onnx.Float).m
		}, opts: []Option{WithLimits(Limits{MaxMemory: 4000})}, run: []*ops.Tensor{ops.New(onnx.Float, 999)},
			want: []string{"over the memory limit of 4000 (Limits.MaxMemory)"}},
		{name: "attribute of the wrong type", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, 4).node("LeakyRelu", s("x"), s("y"), aInts("alpha", 1)).output("y", onnx.Float).m
		}, want: []string{`LeakyRelu "y": attribute "alpha" has type INTS, want FLOAT`}},
		{name: "zero strides", model: func() *onnx.Model { return conv(aInts("strides", 0, 1)) },
			want: []string{`Conv "y": attribute "strides": entry 0 is 0, must be positive`}},
		{name: "negative pads", model: func() *onnx.Model { return conv(aInts("pads", 0, -1, 0, 0)) },
			want: []string{`Conv "y": attribute "pads": entry 1 is -1, must not be negative`}},
		{name: "absurd pads", model: func() *onnx.Model { return conv(aInts("pads", 1<<40, 1<<40, 1<<40, 1<<40)) },
			run: []*ops.Tensor{ops.New(onnx.Float, 1, 1, 4, 4)}, want: []string{`Conv "y"`}},
		{name: "overflowing pads", model: func() *onnx.Model { return conv(aInts("pads", 1<<62, 1<<62, 1<<62, 1<<62)) },
			run: []*ops.Tensor{ops.New(onnx.Float, 1, 1, 4, 4)}, want: []string{`Conv "y"`}},
		{name: "absurd kernel", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, 1, 1, 4, 4).
				node("MaxPool", s("x"), s("y"), aInts("kernel_shape", 1<<40, 1<<40)).output("y", onnx.Float).m
		}, run: []*ops.Tensor{ops.New(onnx.Float, 1, 1, 4, 4)}, want: []string{`MaxPool "y"`}},
		{name: "absurd strides", model: func() *onnx.Model { return conv(aInts("strides", math.MaxInt64, math.MaxInt64)) },
			run: []*ops.Tensor{ops.New(onnx.Float, 1, 1, 4, 4)}},
		{name: "builder panic", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, 4).tnode("BuildPanic", s("x"), s("y")).output("y", onnx.Float).m
		}, want: []string{`BuildPanic "y": panic: builder bug`}},
		{name: "shape inference panic", model: func() *onnx.Model {
			return newBuilder(13).input("x", onnx.Float, 4).tnode("InferPanic", s("x"), s("y")).output("y", onnx.Float).m
		}, run: x4, want: []string{`InferPanic "y": panic: infer bug`}},
		{name: "Conv weight with no output channels before BatchNormalization", model: func() *onnx.Model {
			z := ops.New(onnx.Float, 0)
			return newBuilder(13).input("x", onnx.Float, 1, 1, 2, 2).init("w", ops.New(onnx.Float, 0, 1, 1, 1)).
				init("s", z).init("b", z).init("m", z).init("v", z).
				node("Conv", s("x", "w"), s("c")).node("BatchNormalization", s("c", "s", "b", "m", "v"), s("y")).
				output("y", onnx.Float).m
		}, run: []*ops.Tensor{ops.New(onnx.Float, 1, 1, 2, 2)}},
	}
}

// TestRules checks each rule and limit with a model breaking it: the error
// names the node or tensor and the rule, and nothing panics. Cases without
// wanted fragments only need to fail or run cleanly.
func TestRules(t *testing.T) {
	for _, c := range ruleCases() {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			m, err := LoadModel(c.model(), c.opts...)
			if err == nil {
				defer m.Close()
				if c.run != nil {
					_, err = m.Run(context.Background(), c.run)
					// The model stays usable: a second run fails (or runs) the same way.
					_, err2 := m.Run(context.Background(), c.run)
					if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
						t.Errorf("second run: %v, first: %v", err2, err)
					}
				}
			}
			t.Logf("error: %v", err)
			if errors.Is(err, ErrPanic) && !strings.Contains(c.name, "panic") {
				t.Fatalf("an operator panicked: %v", err)
			}
			if len(c.want) == 0 {
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLimitsResolved(t *testing.T) {
	d := DefaultLimits()
	if got := (Limits{}).resolved(); got != d {
		t.Errorf("zero Limits resolve to %+v, want the defaults %+v", got, d)
	}
	got := Limits{MaxNodes: -1, MaxRank: 5, MaxTensorBytes: -1, MaxMemory: math.MaxInt64, MaxDecodeBytes: -1}.resolved()
	want := Limits{MaxNodes: math.MaxInt, MaxRank: 5, MaxTensorBytes: math.MaxInt, MaxMemory: math.MaxInt, MaxDecodeBytes: -1}
	if got != want {
		t.Errorf("resolved %+v, want %+v", got, want)
	}
	// WithMemoryLimit(0) still means no limit; later options win.
	if c := configure([]Option{WithLimits(Limits{MaxMemory: 5}), WithMemoryLimit(0)}); c.limits.MaxMemory != math.MaxInt {
		t.Errorf("WithMemoryLimit(0) gives MaxMemory %d, want no limit", c.limits.MaxMemory)
	}
}

// TestTensorBytes checks the size computation every shape goes through.
func TestTensorBytes(t *testing.T) {
	lim := Limits{MaxRank: 4, MaxTensorBytes: 1 << 20}.resolved()
	cases := []struct {
		dims []int64
		want int64
		err  string
	}{
		{nil, 4, ""},
		{[]int64{2, 3}, 24, ""},
		{[]int64{0, math.MaxInt64, math.MaxInt64}, 0, ""},
		{[]int64{1 << 18}, 1 << 20, ""},
		{[]int64{1<<18 + 1}, 0, "needs more than 1048576 bytes"},
		{[]int64{1 << 40, 1 << 40}, 0, "needs more than"},
		{[]int64{math.MaxInt64, 2}, 0, "needs more than"},
		{[]int64{1, -1}, 0, "dimension 1 is -1"},
		{[]int64{1, 1, 1, 1, 1}, 0, "rank 5 is over the limit of 4"},
	}
	for _, c := range cases {
		got, err := lim.tensorBytes(onnx.Float, c.dims)
		if c.err == "" && (err != nil || got != c.want) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("tensorBytes(%v) = %d, %v; want %d, %q", c.dims, got, err, c.want, c.err)
		}
	}
}

// TestLoadDecodeLimit checks Load passes MaxDecodeBytes to the decoder.
func TestLoadDecodeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chain.onnx")
	if err := onnx.WriteFile(path, chainModel()); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, WithLimits(Limits{MaxDecodeBytes: 200}))
	if err == nil || !strings.Contains(err.Error(), "more than 200 bytes of memory (the decoding limit)") || !strings.Contains(err.Error(), path) {
		t.Errorf("Load with a 200-byte decoding limit: %v", err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
}

// TestExternalDataThroughLoad checks that external data is only read from
// inside the model's folder and within the file, through runtime.Load.
func TestExternalDataThroughLoad(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "model")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	weights := ops.ToProto(ops.FromF32([]float32{1, 2, 3, 4}, 4), "", onnx.Float).RawData
	for _, f := range []string{filepath.Join(dir, "w.bin"), filepath.Join(root, "secret.bin")} {
		if err := os.WriteFile(f, weights, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "secret.bin"), filepath.Join(dir, "link.bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("w.bin", filepath.Join(dir, "inside.bin")); err != nil {
		t.Fatal(err)
	}
	model := func(kv ...string) *onnx.Model {
		m := newBuilder(13).input("x", onnx.Float, 4).node("Add", s("x", "w"), s("y")).output("y", onnx.Float, 4).m
		w := &onnx.Tensor{Name: "w", DataType: onnx.Float, Dims: []int64{4}}
		for i := 0; i < len(kv); i += 2 {
			w.External = append(w.External, onnx.StringEntry{Key: kv[i], Value: kv[i+1]})
		}
		m.Graph.Initializer = []*onnx.Tensor{w}
		return m
	}
	cases := []struct {
		name string
		kv   []string
		want string // "" means the model loads and adds w
	}{
		{"inside", []string{"location", "w.bin"}, ""},
		{"symlink inside", []string{"location", "inside.bin", "offset", "0", "length", "16"}, ""},
		{"dot-dot", []string{"location", "../secret.bin"}, `external data location "../secret.bin" has a ".." component`},
		{"absolute", []string{"location", filepath.Join(root, "secret.bin")}, "is absolute"},
		{"symlink out", []string{"location", "link.bin"}, "external data"},
		{"missing", []string{"location", "nope.bin"}, "external data"},
		{"offset past the end", []string{"location", "w.bin", "offset", "17"}, "offset 17 is beyond the end"},
		{"length past the end", []string{"location", "w.bin", "offset", "8", "length", "16"}, "offset 8 + length 16 is beyond the end"},
		{"short", []string{"location", "w.bin", "offset", "4"}, "12 data bytes, want 16"},
		{"negative offset", []string{"location", "w.bin", "offset", "-4"}, `external_data offset: "-4" is not a non-negative integer`},
		{"no location", []string{"offset", "0"}, "external_data has no location"},
	}
	for _, c := range cases {
		p := model(c.kv...)
		b, err := onnx.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "model.onnx")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			y := run(t, m, ops.FromF32([]float32{10, 20, 30, 40}, 4))[0]
			closeTo(t, c.name, y, ops.FromF32([]float32{11, 22, 33, 44}, 4), 0, 0)
			m.Close()
			continue
		}
		if err == nil {
			m.Close()
			t.Errorf("%s: loaded, want an error containing %q", c.name, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `initializer "w"`) {
			t.Errorf("%s: error %q, want one naming initializer \"w\" and containing %q", c.name, err, c.want)
		}
	}
}

// TestLimitErrorsAreNotPanics makes sure a limit error is an ordinary
// error value (wrapping nothing unexpected) so callers can report it.
func TestLimitErrorsAreNotPanics(t *testing.T) {
	m := load(t, newBuilder(13).input("shape", onnx.Int64, 2).node("ConstantOfShape", s("shape"), s("c")).output("c", onnx.Float).m)
	_, err := m.Run(context.Background(), []*ops.Tensor{ops.FromI64([]int64{1 << 40, 1 << 40}, 2)})
	if err == nil || errors.Is(err, ops.ErrUnsupported) || errors.Is(err, ErrPanic) {
		t.Fatalf("got %v", err)
	}
	// The model still plans and runs a reasonable shape afterwards.
	out := run(t, m, ops.FromI64([]int64{2, 3}, 2))
	if !ops.SameShape(out[0].Shape, []int{2, 3}) {
		t.Errorf("shape %v, want [2 3]", out[0].Shape)
	}
}
