package text

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// tfidfNode is a TfIdfVectorizer node with the pool given as n-gram lists
// by length (grams[n-1] holds the n-grams) and output coordinates idx.
func tfidfNode(mode string, minN, maxN, skip int, grams [][][]int64, idx []int64, weights []float32) *onnx.Node {
	var pool, counts []int64
	for _, gs := range grams {
		counts = append(counts, int64(len(pool)))
		for _, g := range gs {
			pool = append(pool, g...)
		}
	}
	attrs := []*onnx.Attribute{
		opstest.AttrS("mode", mode), opstest.AttrI("min_gram_length", int64(minN)), opstest.AttrI("max_gram_length", int64(maxN)),
		opstest.AttrI("max_skip_count", int64(skip)), opstest.AttrIs("ngram_counts", counts...), opstest.AttrIs("ngram_indexes", idx...),
		opstest.AttrIs("pool_int64s", pool...),
	}
	if weights != nil {
		attrs = append(attrs, &onnx.Attribute{Name: "weights", Type: onnx.AttrFloats, Floats: weights})
	}
	return opstest.Node("TfIdfVectorizer", opstest.InNames(1), 1, attrs...)
}

// refTfIdf counts by enumerating every n-gram of every length and skip
// (1-grams once) and looking it up in the pool.
func refTfIdf(mode string, minN, maxN, skip int, grams [][][]int64, idx []int64, weights []float32, row []int64, size int) []float32 {
	ids := map[string]int{}
	id := 0
	for _, gs := range grams {
		for _, g := range gs {
			ids[fmt.Sprint(g)] = id
			id++
		}
	}
	counts := make([]int, id)
	for n := minN; n <= maxN; n++ {
		for s := 0; s <= skip; s++ {
			if n == 1 && s > 0 {
				break
			}
			for start := 0; start+(n-1)*(s+1) < len(row); start++ {
				var g []int64
				for j := range n {
					g = append(g, row[start+j*(s+1)])
				}
				if i, ok := ids[fmt.Sprint(g)]; ok {
					counts[i]++
				}
			}
		}
	}
	y := make([]float32, size)
	for i, c := range counts {
		w := float32(1)
		if weights != nil {
			w = weights[i]
		}
		switch mode {
		case "TF":
			y[idx[i]] += float32(c)
		case "IDF":
			y[idx[i]] += float32(min(c, 1)) * w
		case "TFIDF":
			y[idx[i]] += float32(c) * w
		}
	}
	return y
}

func TestTfIdfAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for trial := range 60 {
		maxN := 1 + rng.IntN(3)
		minN := 1 + rng.IntN(maxN)
		skip := rng.IntN(3)
		mode := []string{"TF", "IDF", "TFIDF"}[trial%3]
		// A pool of distinct n-grams over tokens 0..4 (1-grams first).
		seen := map[string]bool{}
		grams := make([][][]int64, maxN)
		for n := 1; n <= maxN; n++ {
			for range 4 {
				g := make([]int64, n)
				for j := range g {
					g[j] = int64(rng.IntN(5))
				}
				if !seen[fmt.Sprint(g)] {
					seen[fmt.Sprint(g)] = true
					grams[n-1] = append(grams[n-1], g)
				}
			}
		}
		total := len(seen)
		idx := make([]int64, total)
		for i, p := range rng.Perm(total) {
			idx[i] = int64(p)
		}
		var weights []float32
		if trial%2 == 0 {
			for range total {
				weights = append(weights, float32(rng.IntN(4))+0.5)
			}
		}
		rows, c := 1+rng.IntN(3), rng.IntN(12)
		x := ops.New(onnx.Int64, rows, c)
		for i := range x.I64() {
			x.I64()[i] = int64(rng.IntN(5))
		}
		n := tfidfNode(mode, minN, maxN, skip, grams, idx, weights)
		label := fmt.Sprintf("%s min %d max %d skip %d pool %v x %v", mode, minN, maxN, skip, grams, x.I64())
		got, err := opstest.Eval(n, 9, x)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		var want []float32
		for r := range rows {
			want = append(want, refTfIdf(mode, minN, maxN, skip, grams, idx, weights, x.I64()[r*c:(r+1)*c], total)...)
		}
		opstest.EwCheck(t, label, got[0], opstest.Typed(opstest.Sh(rows, total), want...))
	}
}

func TestTfIdfSpec(t *testing.T) {
	// The spec's example: the 2-grams [94, 17] and [17, 36] at coordinates
	// 1 and 0, each found once in [94, 17, 36, 12, 28] (at skip 0).
	n := tfidfNode("TF", 2, 2, 2, [][][]int64{nil, {{94, 17}, {17, 36}}}, []int64{1, 0}, nil)
	x := ops.New(onnx.Int32, 5)
	copy(x.I32(), []int32{94, 17, 36, 12, 28})
	got, err := opstest.Eval(n, 9, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "spec", got[0], opstest.F32s(1, 1))
}

func TestTfIdfErrors(t *testing.T) {
	grams := [][][]int64{{{1}, {2}}}
	for _, c := range []struct {
		name string
		n    *onnx.Node
		err  string
	}{
		{"mode", tfidfNode("BM25", 1, 1, 0, grams, []int64{0, 1}, nil), "want TF, IDF or TFIDF"},
		{"lengths", tfidfNode("TF", 2, 1, 0, grams, []int64{0, 1}, nil), "want 1 <= min <= max"},
		{"indexes count", tfidfNode("TF", 1, 1, 0, grams, []int64{0}, nil), "more n-grams than"},
		{"negative index", tfidfNode("TF", 1, 1, 0, grams, []int64{0, -1}, nil), "want an output coordinate"},
		{"weights count", tfidfNode("TF", 1, 1, 0, grams, []int64{0, 1}, []float32{1}), "\"weights\" has 1 entries"},
		{"repeated n-gram", tfidfNode("TF", 1, 1, 0, [][][]int64{{{1}, {1}}}, []int64{0, 1}, nil), "twice"},
		{"ragged pool", opstest.Node("TfIdfVectorizer", opstest.InNames(1), 1, opstest.AttrS("mode", "TF"), opstest.AttrI("min_gram_length", 1),
			opstest.AttrI("max_gram_length", 2), opstest.AttrI("max_skip_count", 0), opstest.AttrIs("ngram_counts", 0, 1),
			opstest.AttrIs("ngram_indexes", 0, 1), opstest.AttrIs("pool_int64s", 1, 2, 3, 4)), "whole 2-grams"},
		{"string pool", opstest.Node("TfIdfVectorizer", opstest.InNames(1), 1, opstest.AttrS("mode", "TF"), opstest.AttrI("min_gram_length", 1),
			opstest.AttrI("max_gram_length", 1), opstest.AttrI("max_skip_count", 0), opstest.AttrIs("ngram_counts", 0),
			opstest.AttrIs("ngram_indexes", 0), &onnx.Attribute{Name: "pool_strings", Type: onnx.AttrStrings, Strings: [][]byte{[]byte("a")}}), "unsupported"},
		{"no mode", opstest.Node("TfIdfVectorizer", opstest.InNames(1), 1), "\"mode\" is required"},
	} {
		_, err := ops.Build(c.n, 9)
		opstest.WantErr(t, c.name, err, c.err)
	}
	n := tfidfNode("TF", 1, 1, 0, grams, []int64{0, 1}, nil)
	_, err := opstest.Eval(n, 9, opstest.F32s(1))
	opstest.WantErr(t, "float input", err, "want int32 or int64")
	_, err = opstest.Eval(n, 9, ops.New(onnx.Int64, 1, 2, 3))
	opstest.WantErr(t, "3-D input", err, "want [C] or [N, C]")
}

func TestTfIdfNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_tfidfvectorizer*"); got != 7 {
		t.Errorf("%d TfIdfVectorizer node tests passed, want 7", got)
	}
}

func TestChangelogVersions(t *testing.T) {
	opstest.WantChangelogVersions(t, "TfIdfVectorizer")
}
