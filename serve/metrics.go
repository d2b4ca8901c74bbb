package serve

import (
	"bytes"
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds of the latency histogram's buckets,
// in seconds: from a small model on a fast machine to a big one on a
// Raspberry Pi Zero.
var latencyBuckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// metrics counts the requests answered. Its label values are bounded: the
// models served (or ""), the endpoints, the status codes written.
type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]uint64
	models   map[string]*modelStats
	names    []string // the models, sorted
}

type requestKey struct {
	model string
	ep    endpoint
	code  int
}

// modelStats are one model's gauges and latency histograms.
type modelStats struct {
	inFlight, waiting atomic.Int64
	// latency holds the histograms of the endpoints that run the model
	// (infer, classify, detect), indexed by endpoint.
	latency [numEndpoints]histogram
}

// timed reports whether an endpoint runs the model, and so has a latency
// histogram.
func timed(ep endpoint) bool { return ep == epInfer || ep == epClassify || ep == epDetect }

// histogram counts observations by latencyBuckets.
type histogram struct {
	mu     sync.Mutex
	counts [len(latencyBuckets) + 1]uint64 // per bucket, not cumulative; the last is over every bound
	sum    float64
}

func (h *histogram) observe(seconds float64) {
	i, _ := slices.BinarySearch(latencyBuckets[:], seconds) // the first bound >= seconds
	h.mu.Lock()
	h.counts[i]++
	h.sum += seconds
	h.mu.Unlock()
}

func newMetrics(names []string) *metrics {
	mt := &metrics{requests: map[requestKey]uint64{}, models: map[string]*modelStats{}}
	for _, n := range names {
		mt.models[n] = &modelStats{}
	}
	mt.names = slices.Sorted(slices.Values(names))
	return mt
}

// count records an answered request (m is nil for the server's own
// endpoints and unknown models).
func (mt *metrics) count(m *model, ep endpoint, code int, d time.Duration) {
	key := requestKey{ep: ep, code: code}
	if m != nil {
		key.model = m.name
		if timed(ep) {
			m.stats.latency[ep].observe(d.Seconds())
		}
	}
	mt.mu.Lock()
	mt.requests[key]++
	mt.mu.Unlock()
}

// write answers GET /metrics in the Prometheus text exposition format.
func (mt *metrics) write(w http.ResponseWriter) {
	mt.mu.Lock()
	keys := make([]requestKey, 0, len(mt.requests))
	counts := make(map[requestKey]uint64, len(mt.requests))
	for k, n := range mt.requests {
		keys = append(keys, k)
		counts[k] = n
	}
	mt.mu.Unlock()
	slices.SortFunc(keys, func(a, b requestKey) int {
		return cmp.Or(strings.Compare(a.model, b.model), cmp.Compare(a.ep, b.ep), cmp.Compare(a.code, b.code))
	})
	var b bytes.Buffer
	header(&b, "edgeinfer_requests_total", "counter", "HTTP requests answered, by model (\"\" for the server's endpoints), endpoint and status code.")
	for _, k := range keys {
		fmtSample(&b, "edgeinfer_requests_total", requestLabels(k), float64(counts[k]))
	}
	header(&b, "edgeinfer_request_errors_total", "counter", "Requests answered with a status of 400 or above, by model, endpoint and status code.")
	for _, k := range keys {
		if k.code >= 400 {
			fmtSample(&b, "edgeinfer_request_errors_total", requestLabels(k), float64(counts[k]))
		}
	}
	header(&b, "edgeinfer_request_duration_seconds", "histogram", "Time from a request's arrival to its answer, by model and endpoint.")
	for _, name := range mt.names {
		s := mt.models[name]
		for ep := range numEndpoints {
			if timed(ep) {
				s.latency[ep].write(&b, "edgeinfer_request_duration_seconds", labels("model", name, "endpoint", endpointNames[ep]))
			}
		}
	}
	header(&b, "edgeinfer_requests_in_flight", "gauge", "Requests for a model being answered now, waiting ones included.")
	for _, name := range mt.names {
		fmtSample(&b, "edgeinfer_requests_in_flight", labels("model", name), float64(mt.models[name].inFlight.Load()))
	}
	header(&b, "edgeinfer_requests_waiting", "gauge", "Requests waiting for one of a model's sessions.")
	for _, name := range mt.names {
		fmtSample(&b, "edgeinfer_requests_waiting", labels("model", name), float64(mt.models[name].waiting.Load()))
	}
	writeBody(w, http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", b.Bytes())
}

// write appends the histogram's samples: cumulative buckets, sum, count.
func (h *histogram) write(b *bytes.Buffer, name, lbls string) {
	h.mu.Lock()
	counts, sum := h.counts, h.sum
	h.mu.Unlock()
	var cum uint64
	for i, n := range counts {
		cum += n
		le := "+Inf"
		if i < len(latencyBuckets) {
			le = strconv.FormatFloat(latencyBuckets[i], 'g', -1, 64)
		}
		fmtSample(b, name+"_bucket", lbls+`,le="`+le+`"`, float64(cum))
	}
	fmtSample(b, name+"_sum", lbls, sum)
	fmtSample(b, name+"_count", lbls, float64(cum))
}

func header(b *bytes.Buffer, name, typ, help string) {
	b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + typ + "\n")
}

func requestLabels(k requestKey) string {
	return labels("model", k.model, "endpoint", endpointNames[k.ep], "code", strconv.Itoa(k.code))
}

// labels formats name="value" pairs, escaping the values.
func labels(kv ...string) string {
	var b strings.Builder
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i] + `="`)
		labelEscaper.WriteString(&b, kv[i+1])
		b.WriteByte('"')
	}
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func fmtSample(b *bytes.Buffer, name, lbls string, v float64) {
	b.WriteString(name + "{" + lbls + "} " + strconv.FormatFloat(v, 'g', -1, 64) + "\n")
}
