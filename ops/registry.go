package ops

import (
	"fmt"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
)

type regKey struct{ domain, opType string }

type regEntry struct {
	since   int
	builder Builder
}

var registry = map[regKey][]regEntry{}

// NormDomain maps "ai.onnx" to "", the default domain's two spellings.
func NormDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// Register adds a builder for op type in domain valid from opset since until
// the next registered version. It is called from init functions.
func Register(domain, opType string, since int, b Builder) {
	k := regKey{NormDomain(domain), opType}
	for _, e := range registry[k] {
		if e.since == since {
			panic(fmt.Sprintf("ops: %s %q since %d registered twice", domain, opType, since))
		}
	}
	registry[k] = append(registry[k], regEntry{since, b})
	sort.Slice(registry[k], func(i, j int) bool { return registry[k][i].since < registry[k][j].since })
}

// Lookup returns the builder for the newest registered version <= opset.
func Lookup(domain, opType string, opset int) (Builder, int, bool) {
	es := registry[regKey{NormDomain(domain), opType}]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].since <= opset {
			return es[i].builder, es[i].since, true
		}
	}
	return nil, 0, false
}

// Build builds node n for the given opset of its domain.
func Build(n *onnx.Node, opset int) (Op, error) {
	b, _, ok := Lookup(n.Domain, n.OpType, opset)
	if !ok {
		return nil, fmt.Errorf("%s: unsupported operator %s at opset %d", NodeLabel(n), QualifiedType(n), opset)
	}
	op, err := b(n, opset)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NodeLabel(n), err)
	}
	return op, nil
}

// QualifiedType is "Conv" for the default domain and "domain.Op" otherwise.
func QualifiedType(n *onnx.Node) string {
	if d := NormDomain(n.Domain); d != "" {
		return d + "." + n.OpType
	}
	return n.OpType
}

// NodeLabel names a node in messages: `Conv "conv1"` or `Conv (output "y")`.
func NodeLabel(n *onnx.Node) string {
	if n.Name != "" {
		return fmt.Sprintf("%s %q", n.OpType, n.Name)
	}
	if len(n.Outputs) > 0 {
		return fmt.Sprintf("%s (output %q)", n.OpType, n.Outputs[0])
	}
	return n.OpType
}

// OpInfo describes one registered operator for documentation.
type OpInfo struct {
	Domain   string
	OpType   string
	Versions []int
}

// Registered lists every registered operator, sorted by domain and type.
func Registered() []OpInfo {
	var out []OpInfo
	for k, es := range registry {
		oi := OpInfo{Domain: k.domain, OpType: k.opType}
		for _, e := range es {
			oi.Versions = append(oi.Versions, e.since)
		}
		out = append(out, oi)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Domain != out[j].Domain {
			return out[i].Domain < out[j].Domain
		}
		return strings.Compare(out[i].OpType, out[j].OpType) < 0
	})
	return out
}
