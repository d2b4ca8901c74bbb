package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
)

// cmdGen writes one of the built-in torchvision-equivalent models.
func cmdGen(args []string, w io.Writer) error {
	fs := newFlags("gen")
	out := fs.String("o", "", "output file (required)")
	seed := fs.Uint64("seed", 1, "weight seed")
	batch := fs.Int("batch", 0, "fix the batch dimension to this size (0 keeps it symbolic, N)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return fmt.Errorf("gen: usage: edgeinfer gen %s -o FILE", strings.Join(models.Names(), "|"))
	}
	m, err := models.Build(pos[0], *seed)
	if err != nil {
		return err
	}
	if *batch < 0 {
		return fmt.Errorf("gen: -batch must be >= 0")
	}
	if *batch > 0 {
		for _, vi := range append(m.Graph.Inputs, m.Graph.Outputs...) {
			if len(vi.Type.Shape) > 0 && vi.Type.Shape[0].Param != "" {
				vi.Type.Shape[0] = onnx.Dim{Value: int64(*batch), Known: true}
			}
		}
	}
	if err := onnx.WriteFile(*out, m); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s to %s (synthetic weights, seed %d)\n", pos[0], *out, *seed)
	return nil
}
