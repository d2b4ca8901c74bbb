package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/edgeinfer/edgeinfer/ops"
)

// cmdOps prints the operator registry as the README's Markdown table.
func cmdOps(args []string, w io.Writer) error {
	pos, err := parseFlags(newFlags("ops"), args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("ops: takes no arguments")
	}
	fmt.Fprint(w, opsTable())
	return nil
}

// opsTable is the Markdown table of registered operators and the opset
// versions at which each has its own implementation.
func opsTable() string {
	var b strings.Builder
	b.WriteString("| domain | operator | opset versions implemented |\n|---|---|---|\n")
	for _, o := range ops.Registered() {
		d := o.Domain
		if d == "" {
			d = "ai.onnx"
		}
		vs := make([]string, len(o.Versions))
		for i, v := range o.Versions {
			vs[i] = fmt.Sprint(v)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", d, o.OpType, strings.Join(vs, ", "))
	}
	return b.String()
}
