package vision

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestCol2ImNodeTests runs the official Col2Im node tests.
func TestCol2ImNodeTests(t *testing.T) {
	if n, want := opstest.AllNodeTests(t, "test_col2im*"), 5; n != want {
		t.Errorf("%d node tests passed, want %d", n, want)
	}
}

// naiveCol2Im folds x ([n, c*prod(blk), L]) by visiting every block
// element at every position and adding it where it lands inside the
// image.
func naiveCol2Im(x []float64, n, c int, img, blk, str, dil, pads []int) []float64 {
	r := len(img)
	cnt := make([]int, r)
	for d := range r {
		cnt[d] = (img[d]+pads[d]+pads[r+d]-dil[d]*(blk[d]-1)-1)/str[d] + 1
	}
	bsz, L, plane := ops.NumElems(blk), ops.NumElems(cnt), ops.NumElems(img)
	y := make([]float64, n*c*plane)
	k, l := make([]int, r), make([]int, r)
	for p := range n * c {
		for kf := range bsz {
			opstest.Unflatten(kf, blk, k)
			for lf := range L {
				opstest.Unflatten(lf, cnt, l)
				off, inside := 0, true
				for d := range r {
					pos := l[d]*str[d] - pads[d] + k[d]*dil[d]
					inside = inside && pos >= 0 && pos < img[d]
					off = off*img[d] + pos
				}
				if inside {
					y[p*plane+off] += x[(p*bsz+kf)*L+lf]
				}
			}
		}
	}
	return y
}

// TestCol2ImNaive compares random folds (1 to 3 axes, strides,
// dilations, pads, blocks larger than strides) in float32 and int32
// with naiveCol2Im.
func TestCol2ImNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for iter := range 300 {
		r := 1 + rng.IntN(3)
		img, blk, str, dil, pads := make([]int, r), make([]int, r), make([]int, r), make([]int, r), make([]int, 2*r)
		cnt := 1
		for d := range r {
			img[d], blk[d], str[d], dil[d] = 1+rng.IntN(7), 1+rng.IntN(3), 1+rng.IntN(3), 1+rng.IntN(2)
			pads[d], pads[r+d] = rng.IntN(3), rng.IntN(3)
			if span := dil[d]*(blk[d]-1) + 1; img[d]+pads[d]+pads[r+d] < span {
				pads[r+d] += span - img[d] - pads[d] - pads[r+d]
			}
			cnt *= (img[d]+pads[d]+pads[r+d]-dil[d]*(blk[d]-1)-1)/str[d] + 1
		}
		n, c := 1+rng.IntN(2), 1+rng.IntN(3)
		shape := []int{n, c * ops.NumElems(blk), cnt}
		xv := make([]float64, ops.NumElems(shape))
		for i := range xv {
			xv[i] = float64(rng.IntN(21) - 10)
		}
		want := naiveCol2Im(xv, n, c, img, blk, str, dil, pads)
		attrs := []*onnx.Attribute{opstest.AttrIs("strides", i64s(str)...), opstest.AttrIs("dilations", i64s(dil)...), opstest.AttrIs("pads", i64s(pads)...)}
		for _, dt := range []ops.DType{onnx.Float, onnx.Int32} {
			x := ops.New(dt, shape...)
			for i, v := range xv {
				if dt == onnx.Float {
					x.F32()[i] = float32(v)
				} else {
					x.I32()[i] = int32(v)
				}
			}
			ins := []*ops.Tensor{x, opstest.I64s(i64s(img)...), opstest.I64s(i64s(blk)...)}
			got, err := opstest.Eval(opstest.EwNode("Col2Im", ins, 1, attrs...), 18, ins...)
			if err != nil {
				t.Fatalf("iter %d: img %v blk %v str %v dil %v pads %v: %v", iter, img, blk, str, dil, pads, err)
			}
			for i, w := range want {
				var g float64
				if dt == onnx.Float {
					g = float64(got[0].F32()[i])
				} else {
					g = float64(got[0].I32()[i])
				}
				if g != w {
					t.Fatalf("iter %d %s: img %v blk %v str %v dil %v pads %v: element %d is %v, want %v", iter, ops.TypeName(dt), img, blk, str, dil, pads, i, g, w)
				}
			}
		}
	}
}

func i64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// TestCol2ImErrors checks that invalid inputs and attributes fail with
// errors naming them, and shape inputs not known before the run say so.
func TestCol2ImErrors(t *testing.T) {
	x := ops.New(onnx.Float, 1, 4, 9)
	img, blk := opstest.I64s(4, 4), opstest.I64s(2, 2)
	for _, c := range []struct {
		label string
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		frags []string
	}{
		{"rows", []*ops.Tensor{ops.New(onnx.Float, 1, 5, 9), img, blk}, nil, []string{"multiple"}},
		{"positions", []*ops.Tensor{ops.New(onnx.Float, 1, 4, 8), img, blk}, nil, []string{"8 block positions", "give 9"}},
		{"rank", []*ops.Tensor{ops.New(onnx.Float, 4, 9), img, blk}, nil, []string{`"input"`}},
		{"lengths", []*ops.Tensor{x, img, opstest.I64s(2, 2, 1)}, nil, []string{"must match"}},
		{"block 0", []*ops.Tensor{x, img, opstest.I64s(2, 0)}, nil, []string{`"block_shape"`}},
		{"image type", []*ops.Tensor{x, opstest.F32s(4, 4), blk}, nil, []string{`"image_shape"`, "int64"}},
		{"strides count", []*ops.Tensor{x, img, blk}, []*onnx.Attribute{opstest.AttrIs("strides", 1)}, []string{`"strides"`}},
		{"stride 0", []*ops.Tensor{x, img, blk}, []*onnx.Attribute{opstest.AttrIs("strides", 1, 0)}, []string{`"strides"`}},
		{"negative pad", []*ops.Tensor{x, img, blk}, []*onnx.Attribute{opstest.AttrIs("pads", 0, 0, -1, 0)}, []string{`"pads"`}},
		{"bool", []*ops.Tensor{ops.New(onnx.Bool, 1, 4, 9), img, blk}, nil, []string{"numeric"}},
	} {
		_, err := opstest.Eval(opstest.EwNode("Col2Im", c.ins, 1, c.attrs...), 18, c.ins...)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
	op, _ := ops.Build(opstest.EwNode("Col2Im", []*ops.Tensor{x, img, blk}, 1), 18)
	_, err := op.Infer([]ops.Value{{Type: onnx.Float, Shape: x.Shape}, {Type: onnx.Int64, Shape: []int{2}}, {Type: onnx.Int64, Shape: []int{2}, Const: blk}})
	if !errors.Is(err, ops.ErrNotConstant) {
		t.Errorf("image_shape not constant: %v, want ErrNotConstant", err)
	}
}

// TestCol2ImORT compares Col2Im with ONNX Runtime.
func TestCol2ImORT(t *testing.T) { ortGolden(t, "col2im_*") }

// TestCol2ImBound checks that a bound Col2Im allocates nothing once
// planned, and plans again when block_shape changes.
func TestCol2ImBound(t *testing.T) {
	x := opstest.Iota32(1, 6, 6)
	img, blk := opstest.I64s(4, 4), opstest.I64s(2, 3)
	ins := []*ops.Tensor{x, img, blk}
	node := opstest.EwNode("Col2Im", ins, 1)
	outs, err := opstest.Eval(node, 18, ins...)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := ops.Build(node, 18)
	y := ops.New(onnx.Float, outs[0].Shape...)
	f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: opstest.SeqPar{}}, ins, []*ops.Tensor{y})
	if err != nil {
		t.Fatal(err)
	}
	if err := f(); err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "bound", y, outs[0])
	if n := testing.AllocsPerRun(5, func() { f() }); n != 0 {
		t.Errorf("%v allocations per bound run, want 0", n)
	}
	// 3x2 blocks: as many elements and positions, a different fold into
	// the same output shape.
	blk.I64()[0], blk.I64()[1] = 3, 2
	outs, err = opstest.Eval(node, 18, ins...)
	if err != nil {
		t.Fatal(err)
	}
	if err := f(); err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "bound after the shapes changed", y, outs[0])
}
