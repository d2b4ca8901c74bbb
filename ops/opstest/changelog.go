package opstest

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
)

// changelogAnchor matches the heading anchors of ONNX's Changelog.md, as in
// `<a name="Reshape-14">`, capturing the operator and the version.
var changelogAnchor = regexp.MustCompile(`<a name="([A-Za-z0-9]+)-([0-9]+)">`)

// WantChangelogVersions fails t for every default-domain operator of opTypes
// whose registered versions differ from the versions
// ../shared/onnx-spec/Changelog.md lists for it (the test is skipped when
// the file is absent). It keeps a family's registrations complete.
func WantChangelogVersions(t *testing.T, opTypes ...string) {
	t.Helper()
	b, err := os.ReadFile(onnxtest.Shared(t, "onnx-spec", "Changelog.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The default domain's sections come first; stop at the next domain's.
	if i := regexp.MustCompile(`(?m)^# ai\.onnx\.`).FindIndex(b); i != nil {
		b = b[:i[0]]
	}
	want := map[string][]int{}
	for _, m := range changelogAnchor.FindAllSubmatch(b, -1) {
		v, _ := strconv.Atoi(string(m[2]))
		want[string(m[1])] = append(want[string(m[1])], v)
	}
	got := map[string][]int{}
	for _, oi := range ops.Registered() {
		if oi.Domain == "" {
			got[oi.OpType] = oi.Versions
		}
	}
	for _, op := range opTypes {
		w := want[op]
		slices.Sort(w)
		if !slices.Equal(got[op], w) {
			t.Errorf("%s is registered at opsets %v, Changelog.md lists %v", op, got[op], w)
		}
	}
}
