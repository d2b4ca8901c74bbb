package serve

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMetrics: GET /metrics is well-formed Prometheus text: one HELP and
// TYPE per family before its samples, label values escaped, cumulative
// buckets ending at the count; and it counts requests by model, endpoint
// and status, errors apart, unknown paths and models under model="".
func TestMetrics(t *testing.T) {
	const odd = `we"ird\name`
	_, base := start(t, Options{}, Model{Name: "types", Model: typesModel(t)}, Model{Name: odd, Model: typesModel(t)})
	infer := base + "/v2/models/types/infer"
	postJSON(t, infer, typesRequest())
	postJSON(t, infer, typesRequest())
	postJSON(t, infer, map[string]any{})
	get(t, infer)
	get(t, base+"/v2/health/live")
	get(t, base+"/no/such/path")
	get(t, base+"/v2/models/unknown")
	r := get(t, base+"/metrics")
	if r.code != 200 || r.header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("%d %s", r.code, r.header.Get("Content-Type"))
	}
	sampleRE := regexp.MustCompile(`^([a-z_]+)\{((?:[a-z]+="(?:[^"\\]|\\.)*",?)+)\} ([0-9.e+]+|\+Inf)$`)
	typed := map[string]string{}
	samples := map[string]float64{}
	var buckets []float64
	for _, line := range strings.Split(strings.TrimSuffix(string(r.body), "\n"), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "#" {
			if f[1] == "TYPE" {
				if typed[f[2]] != "" {
					t.Errorf("TYPE of %s twice", f[2])
				}
				typed[f[2]] = f[3]
			}
			continue
		}
		m := sampleRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("malformed line %q", line)
		}
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		if typed[family] == "" {
			t.Errorf("sample %q before the TYPE of %s", line, family)
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		samples[m[1]+"{"+m[2]+"}"] = v
		if strings.HasPrefix(line, `edgeinfer_request_duration_seconds_bucket{model="types",endpoint="infer"`) {
			buckets = append(buckets, v)
		}
	}
	want := map[string]float64{
		`edgeinfer_requests_total{model="types",endpoint="infer",code="200"}`:       2,
		`edgeinfer_requests_total{model="types",endpoint="infer",code="400"}`:       1,
		`edgeinfer_requests_total{model="types",endpoint="infer",code="405"}`:       1,
		`edgeinfer_request_errors_total{model="types",endpoint="infer",code="400"}`: 1,
		`edgeinfer_request_errors_total{model="types",endpoint="infer",code="405"}`: 1,
		`edgeinfer_requests_total{model="",endpoint="live",code="200"}`:             1,
		`edgeinfer_requests_total{model="",endpoint="unknown",code="404"}`:          2,
		`edgeinfer_request_errors_total{model="",endpoint="unknown",code="404"}`:    2,
		`edgeinfer_request_duration_seconds_count{model="types",endpoint="infer"}`:  4,
		`edgeinfer_requests_in_flight{model="types"}`:                               0,
		`edgeinfer_requests_waiting{model="we\"ird\\name"}`:                         0,
	}
	for k, v := range want {
		if got, ok := samples[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if _, ok := samples[`edgeinfer_request_errors_total{model="types",endpoint="infer",code="200"}`]; ok {
		t.Error("a 200 counted as an error")
	}
	if typed["edgeinfer_request_duration_seconds"] != "histogram" || typed["edgeinfer_requests_total"] != "counter" || typed["edgeinfer_requests_in_flight"] != "gauge" {
		t.Errorf("types %v", typed)
	}
	if len(buckets) != len(latencyBuckets)+1 || buckets[len(buckets)-1] != 4 {
		t.Fatalf("buckets %v", buckets)
	}
	for i := 1; i < len(buckets); i++ {
		if buckets[i] < buckets[i-1] {
			t.Errorf("buckets not cumulative: %v", buckets)
		}
	}
	if r := do(t, http.MethodPost, base+"/metrics", nil, nil); r.code != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d", r.code)
	}
}

// TestHistogramBuckets: an observation lands in the first bucket whose
// bound is at or above it.
func TestHistogramBuckets(t *testing.T) {
	var h histogram
	for _, s := range []float64{0, 0.005, 0.0051, 30, 31} {
		h.observe(s)
	}
	want := [len(latencyBuckets) + 1]uint64{0: 2, 1: 1, 11: 1, 12: 1}
	if h.counts != want || h.sum != 0.005+0.0051+30+31 {
		t.Errorf("counts %v sum %v, want %v", h.counts, h.sum, want)
	}
}
