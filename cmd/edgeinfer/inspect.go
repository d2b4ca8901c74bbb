package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// inspection is what `edgeinfer inspect` reports; its JSON form is stable.
type inspection struct {
	Model     string           `json:"model"`
	IRVersion int64            `json:"ir_version"`
	Opsets    map[string]int64 `json:"opsets"`
	Producer  string           `json:"producer"`
	Inputs    []ioDesc         `json:"inputs"`
	Outputs   []ioDesc         `json:"outputs"`
	// Symbolic lists the input dimensions declared without a size, as
	// "x[0]=N" ("x[2]=?" when unnamed).
	Symbolic    []string                `json:"symbolic,omitempty"`
	Nodes       int                     `json:"nodes"`
	OpHistogram map[string]int          `json:"op_histogram"`
	Params      int64                   `json:"params"`
	ParamBytes  int64                   `json:"param_bytes"`
	MACs        int64                   `json:"macs"`
	Unsupported []runtime.UnsupportedOp `json:"unsupported"`
	PlanError   string                  `json:"plan_error,omitempty"`
	// PlanShapes are the input shapes planned for, by input name: those
	// -shape gave, else the declared ones with 1 for unknown sizes.
	PlanShapes map[string][]int `json:"plan_shapes,omitempty"`
	ArenaBytes int64            `json:"arena_bytes"`
	// ScratchBytes is the kernels' workspace; each session (and each
	// concurrent Model.Run) holds its own, with its arena.
	ScratchBytes int64 `json:"scratch_bytes"`
	NaiveBytes   int64 `json:"naive_bytes"`
	ConstBytes   int64 `json:"const_bytes"`
	PlanSteps    int   `json:"plan_steps"`

	// planned are PlanShapes in input order in -shape form, unsized the
	// dimensions the plan set to 1, and hint the -shape flags that would
	// size them (text output only).
	planned, unsized []string
	hint             string
}

type ioDesc struct {
	Name  string   `json:"name"`
	Type  string   `json:"type"`
	Shape []string `json:"shape"`
}

func describeIO(vis []*onnx.ValueInfo, skip map[string]bool) []ioDesc {
	var out []ioDesc
	for _, vi := range vis {
		if skip[vi.Name] {
			continue
		}
		d := ioDesc{Name: vi.Name, Type: ops.TypeName(vi.Type.Elem)}
		if vi.Type.Kind != onnx.KindTensor {
			d.Type = "non-tensor"
		}
		for _, dim := range vi.Type.Shape {
			switch {
			case dim.Param != "":
				d.Shape = append(d.Shape, dim.Param)
			case dim.Known:
				d.Shape = append(d.Shape, fmt.Sprint(dim.Value))
			default:
				d.Shape = append(d.Shape, "?")
			}
		}
		out = append(out, d)
	}
	return out
}

// cmdInspect describes a model: metadata, I/O, ops, parameters and the
// memory plan for the input shapes -shape gives (1 for the sizes of
// symbolic dimensions it does not give).
func cmdInspect(args []string, w io.Writer) error {
	fs := newFlags("inspect")
	asJSON := fs.Bool("json", false, "print one JSON object")
	var shapes shapeFlags
	fs.Var(&shapes, "shape", "an input's shape for the plan, NAME:1x3x224x224 (repeat per input; the dims alone for a model with one input)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("inspect: want one MODEL.onnx, got %d arguments", len(pos))
	}
	p, err := onnx.Open(pos[0])
	if err != nil {
		return err
	}
	defer p.Close()
	if p.Graph == nil {
		return fmt.Errorf("%s: model has no graph", pos[0])
	}
	in := inspection{Model: pos[0], IRVersion: p.IRVersion, Opsets: map[string]int64{}, OpHistogram: map[string]int{},
		Producer: strings.TrimSpace(p.ProducerName + " " + p.ProducerVersion), Nodes: len(p.Graph.Nodes)}
	for _, o := range p.OpsetImports {
		d := o.Domain
		if d == "" {
			d = "ai.onnx"
		}
		in.Opsets[d] = o.Version
	}
	if in.Params, in.ParamBytes, err = runtime.ParamStats(p); err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	inits := map[string]bool{}
	for _, t := range p.Graph.Initializer {
		inits[t.Name] = true
	}
	in.Inputs = describeIO(p.Graph.Inputs, inits)
	in.Outputs = describeIO(p.Graph.Outputs, nil)
	declared, _ := runtime.DeclaredIO(p)
	in.Symbolic = unsized(declared)
	for _, n := range p.Graph.Nodes {
		in.OpHistogram[ops.QualifiedType(n)]++
	}
	in.Unsupported = runtime.Unsupported(p)
	if len(in.Unsupported) == 0 {
		if err := planInspection(&in, p, shapes); err != nil {
			in.PlanError = oneLine(err.Error())
		}
	}
	if *asJSON {
		return json.NewEncoder(w).Encode(in)
	}
	printInspection(w, &in)
	return nil
}

// planInspection loads p and fills in the plan for the shapes given.
func planInspection(in *inspection, p *onnx.Model, given shapeFlags) error {
	m, err := runtime.LoadModel(p, runtime.WithThreads(1))
	if err != nil {
		return err
	}
	defer m.Close()
	ps, err := inputShapes(m.Inputs(), given)
	if err != nil {
		return err
	}
	in.PlanShapes, in.unsized, in.hint = ps.byName(m.Inputs()), ps.unsized, ps.hint
	in.planned = ps.formatted(m.Inputs())
	pi, err := m.Plan(ps.shapes)
	if err != nil {
		if len(ps.unsized) > 0 {
			return fmt.Errorf("%w (planned with symbolic dims set to 1: give their sizes with %s)", err, ps.hint)
		}
		return err
	}
	in.ArenaBytes, in.ScratchBytes, in.NaiveBytes, in.ConstBytes, in.MACs, in.PlanSteps = pi.ArenaBytes, pi.ScratchBytes, pi.NaiveBytes, pi.ConstBytes, pi.MACs, len(pi.Steps)
	return nil
}

func printInspection(w io.Writer, in *inspection) {
	fmt.Fprintf(w, "model       %s\n", in.Model)
	fmt.Fprintf(w, "ir version  %d\n", in.IRVersion)
	var os []string
	for d, v := range in.Opsets {
		os = append(os, fmt.Sprintf("%s %d", d, v))
	}
	sort.Strings(os)
	fmt.Fprintf(w, "opsets      %s\n", strings.Join(os, ", "))
	fmt.Fprintf(w, "producer    %s\n", in.Producer)
	for _, d := range in.Inputs {
		fmt.Fprintf(w, "input       %s %s[%s]\n", d.Name, d.Type, strings.Join(d.Shape, " "))
	}
	for _, d := range in.Outputs {
		fmt.Fprintf(w, "output      %s %s[%s]\n", d.Name, d.Type, strings.Join(d.Shape, " "))
	}
	if len(in.Symbolic) > 0 {
		fmt.Fprintf(w, "symbolic    %s\n", strings.Join(in.Symbolic, ", "))
	}
	fmt.Fprintf(w, "parameters  %d (%s)\n", in.Params, humanBytes(in.ParamBytes))
	fmt.Fprintf(w, "nodes       %d\n", in.Nodes)
	type kv struct {
		k string
		v int
	}
	var hist []kv
	for k, v := range in.OpHistogram {
		hist = append(hist, kv{k, v})
	}
	sort.Slice(hist, func(i, j int) bool {
		if hist[i].v != hist[j].v {
			return hist[i].v > hist[j].v
		}
		return hist[i].k < hist[j].k
	})
	for _, h := range hist {
		fmt.Fprintf(w, "  %-24s %d\n", h.k, h.v)
	}
	if len(in.Unsupported) > 0 {
		fmt.Fprintf(w, "unsupported %d operator type(s):\n", len(in.Unsupported))
		for _, u := range in.Unsupported {
			fmt.Fprintf(w, "  %s\n", u)
		}
		return
	}
	if in.PlanError != "" {
		fmt.Fprintf(w, "plan        error: %s\n", in.PlanError)
		return
	}
	note := ""
	if len(in.unsized) > 0 {
		note = fmt.Sprintf(" (%s set to 1: size them with %s)", strings.Join(in.unsized, ", "), in.hint)
	}
	fmt.Fprintf(w, "shapes      %s%s\n", strings.Join(in.planned, " "), note)
	fmt.Fprintf(w, "MACs        %s\n", humanCount(in.MACs))
	fmt.Fprintf(w, "plan        %d steps after simplification\n", in.PlanSteps)
	ratio := 0.0
	if in.NaiveBytes > 0 {
		ratio = float64(in.ArenaBytes) / float64(in.NaiveBytes)
	}
	fmt.Fprintf(w, "arena       %s (naive sum of intermediates %s, %.1f%%)\n", humanBytes(in.ArenaBytes), humanBytes(in.NaiveBytes), 100*ratio)
	fmt.Fprintf(w, "scratch     %s (per session: %s with the arena)\n", humanBytes(in.ScratchBytes), humanBytes(in.ArenaBytes+in.ScratchBytes))
	fmt.Fprintf(w, "constants   %s\n", humanBytes(in.ConstBytes))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f G", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2f M", float64(n)/1e6)
	}
	return fmt.Sprint(n)
}
