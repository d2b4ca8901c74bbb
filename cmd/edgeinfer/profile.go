package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// benchProfile is bench -profile's report: every step's time per run, its
// share of the run and its arithmetic rate, slowest first.
type benchProfile struct {
	Runs      int           `json:"runs"`
	RunMS     float64       `json:"run_ms"`     // mean wall time of a profiled run
	BetweenMS float64       `json:"between_ms"` // of which spent between steps
	Steps     []profileStep `json:"steps"`
}

// profileStep is one step of a benchProfile.
type profileStep struct {
	Name      string  `json:"name"`
	Op        string  `json:"op"` // with the fused operators: "Conv+Add+Relu"
	Shape     []int   `json:"shape"`
	Algorithm string  `json:"algorithm,omitempty"`
	MS        float64 `json:"ms"` // mean per run
	Share     float64 `json:"share"`
	GFLOPS    float64 `json:"gflops,omitempty"` // 2 flops per multiply-accumulate
}

func profileReport(p *runtime.Profile) *benchProfile {
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(p.Runs) }
	bp := &benchProfile{Runs: p.Runs, RunMS: per(p.Total), BetweenMS: per(p.Between())}
	for _, s := range p.Steps {
		op := strings.Join(append([]string{s.OpType}, s.Fused...), "+")
		ps := profileStep{Name: s.Name, Op: op, Algorithm: s.Algorithm, MS: per(s.Time)}
		if len(s.OutShapes) > 0 {
			ps.Shape = s.OutShapes[0]
		}
		if p.Total > 0 {
			ps.Share = float64(s.Time) / float64(p.Total)
		}
		if s.MACs > 0 && s.Time > 0 {
			ps.GFLOPS = 2 * float64(s.MACs) * float64(p.Runs) / s.Time.Seconds() / 1e9
		}
		bp.Steps = append(bp.Steps, ps)
	}
	slices.SortStableFunc(bp.Steps, func(a, b profileStep) int {
		switch {
		case a.MS > b.MS:
			return -1
		case a.MS < b.MS:
			return 1
		}
		return 0
	})
	return bp
}

// printProfile prints the profile as a table, slowest step first.
func printProfile(w io.Writer, p *benchProfile) {
	fmt.Fprintf(w, "\nprofile   %d runs, %.3f ms per run, %.3f ms between steps (%.1f%%)\n",
		p.Runs, p.RunMS, p.BetweenMS, 100*p.BetweenMS/max(p.RunMS, 1e-9))
	fmt.Fprintf(w, "%9s %6s %7s  %-24s %-18s %-22s %s\n", "ms", "share", "GFLOP/s", "op", "output", "algorithm", "node")
	for _, s := range p.Steps {
		gf := "-"
		if s.GFLOPS > 0 {
			gf = fmt.Sprintf("%.1f", s.GFLOPS)
		}
		shape := strings.ReplaceAll(fmt.Sprint(s.Shape), " ", "x")
		fmt.Fprintf(w, "%9.3f %5.1f%% %7s  %-24s %-18s %-22s %s\n", s.MS, 100*s.Share, gf, s.Op, shape, s.Algorithm, s.Name)
	}
}
