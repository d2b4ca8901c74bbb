package elem

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestAllNodeTests runs the single-node official tests of the family's
// operators and asserts how many pass per pattern. The rest are skipped:
// string, float8 and sub-byte types, and the multi-node _expanded forms
// (which the runtime's conformance run covers). The Identity-only
// _expanded Clip tests fail here for lack of package array's Identity.
func TestAllNodeTests(t *testing.T) {
	cases := []struct {
		pattern string
		want    int
	}{
		{"test_add*", 8}, {"test_sub*", 9}, {"test_mul*", 9}, {"test_div*", 10}, {"test_sum*", 3},
		{"test_pow*", 12}, {"test_mod*", 13},
		{"test_max_*", 14}, {"test_min_*", 14}, {"test_mean*", 3},
		{"test_equal*", 8}, {"test_greater*", 16}, {"test_less*", 16},
		{"test_and*", 8}, {"test_or*", 8}, {"test_xor*", 8}, {"test_not*", 3},
		{"test_bitshift*", 8}, {"test_bitwise*", 15}, {"test_where*", 2},
		{"test_abs*", 1}, {"test_neg*", 2}, {"test_exp", 1}, {"test_exp_*", 1}, {"test_log", 1}, {"test_log_*", 1},
		{"test_sqrt*", 2}, {"test_reciprocal*", 2}, {"test_floor*", 2}, {"test_ceil*", 2}, {"test_round*", 1},
		{"test_sign*", 1}, {"test_erf*", 1},
		{"test_sin*", 4}, {"test_cos*", 4}, {"test_tan", 1}, {"test_tan_*", 1},
		{"test_asin*", 4}, {"test_acos*", 4}, {"test_atan*", 4},
		{"test_isnan*", 2}, {"test_isinf*", 4},
		{"test_relu*", 1}, {"test_leakyrelu*", 3}, {"test_prelu*", 2}, {"test_sigmoid*", 2}, {"test_hardsigmoid*", 3},
		{"test_hardswish*", 1}, {"test_tanh*", 2}, {"test_elu*", 3}, {"test_selu*", 3}, {"test_celu*", 1},
		{"test_softplus*", 2}, {"test_softsign*", 2}, {"test_gelu*", 4}, {"test_mish*", 1},
		{"test_thresholdedrelu*", 3}, {"test_shrink*", 2}, {"test_swish*", 1},
		{"test_bitcast*", 10},
		// All CastLike tests but test_castlike_FLOAT_to_BFLOAT16, which
		// cannot round to bfloat16 here: its target input is float32 (the
		// runtime rounds at the graph's output, and passes it).
		{"test_cast_*", 8}, {"test_castlike_[^F]*", 6}, {"test_castlike_FLOAT[148]*", 4},
		{"test_castlike_FLOAT_to_[^B]*", 4}, {"test_castlike_FLOAT_to_BFLOAT16_*", 1},
	}
	for _, c := range cases {
		// The count is checked inside the subtest: without ../shared,
		// AllNodeTests skips the subtest and the check is not reached.
		t.Run(c.pattern, func(t *testing.T) {
			if n := opstest.AllNodeTests(t, c.pattern); n != c.want {
				t.Errorf("%s: %d node tests passed, want %d", c.pattern, n, c.want)
			}
		})
	}
}
