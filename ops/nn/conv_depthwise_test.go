package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestConvDepthwise checks depthwise convolutions against the reference:
// the mobile networks' 3x3 and 5x5 windows at stride 1 and 2 with every
// padding, odd sizes and channel counts, channel multipliers, dilations,
// 1-D and 3-D windows, each fusable activation and the residual, with W
// constant (packed) or not, on one thread and three.
func TestConvDepthwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	acts := []ops.Activation{
		{},
		{Kind: ops.ActRelu},
		{Kind: ops.ActClip, Min: 0, Max: 6},
		{Kind: ops.ActLeakyRelu, Alpha: 0.2},
		{Kind: ops.ActHardSwish, Alpha: 1.0 / 6, Beta: 0.5},
		{Kind: ops.ActSwish, Alpha: 1},
	}
	var cases []convCase
	i := 0
	for _, k := range []int{3, 5} {
		for _, s := range []int{1, 2} {
			for _, hw := range [][2]int{{7, 7}, {14, 15}, {17, 33}, {40, 9}} {
				for pb := range k {
					pe := (pb + i) % k
					ch := []int{3, 8, 17, 32}[i%4]
					cases = append(cases, convCase{x: []int{1 + i%2, ch, hw[0], hw[1]}, w: []int{ch, 1, k, k}, group: ch,
						strides: []int{s, s}, pads: []int{pb, pe, pe, pb}, bias: i%3 != 0, act: acts[i%len(acts)], residual: i%2 == 0})
					i++
				}
			}
		}
	}
	cases = append(cases,
		// A channel multiplier of 2 and 3.
		convCase{x: []int{1, 5, 13, 12}, w: []int{10, 1, 3, 3}, group: 5, pads: []int{1, 1, 1, 1}, bias: true, act: acts[5]},
		convCase{x: []int{2, 4, 9, 20}, w: []int{12, 1, 5, 5}, group: 4, strides: []int{2, 2}, pads: []int{2, 2, 2, 2}, residual: true, act: acts[4]},
		// Dilations, unequal strides, "same" padding.
		convCase{x: []int{1, 6, 19, 21}, w: []int{6, 1, 3, 3}, group: 6, dilations: []int{2, 3}, pads: []int{2, 3, 2, 3}, bias: true, act: acts[1]},
		convCase{x: []int{1, 7, 16, 18}, w: []int{7, 1, 3, 3}, group: 7, strides: []int{1, 2}, autoPad: "SAME_UPPER", residual: true, act: acts[3]},
		convCase{x: []int{1, 7, 16, 18}, w: []int{7, 1, 5, 5}, group: 7, strides: []int{2, 2}, autoPad: "SAME_LOWER", bias: true, act: acts[2]},
		// 1-D and 3-D windows.
		convCase{x: []int{2, 9, 37}, w: []int{9, 1, 5}, group: 9, pads: []int{2, 2}, bias: true, residual: true, act: acts[5]},
		convCase{x: []int{1, 3, 5, 6, 7}, w: []int{6, 1, 3, 3, 3}, group: 3, pads: []int{1, 1, 1, 1, 1, 1}, bias: true, act: acts[4]},
	)
	for i := range cases {
		for _, constW := range []bool{true, false} {
			cases[i].check(t, rng, constW, ops.Serial{})
		}
		cases[i].check(t, rng, true, opstest.Par{N: 3})
	}
}
