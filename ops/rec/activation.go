package rec

import (
	"fmt"
	"math"
	"strings"

	"github.com/edgeinfer/edgeinfer/ops/internal/dense"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// actKind names one of the activation functions the recurrent layers accept.
type actKind int

// The activation functions of the recurrent layers' spec.
const (
	actRelu            actKind = iota // max(0, x)
	actTanh                           // tanh(x)
	actSigmoid                        // 1/(1 + e^-x)
	actAffine                         // alpha*x + beta
	actLeakyRelu                      // x if x >= 0 else alpha*x
	actThresholdedRelu                // x if x > alpha else 0
	actScaledTanh                     // alpha*tanh(beta*x)
	actHardSigmoid                    // min(max(alpha*x + beta, 0), 1)
	actElu                            // x if x >= 0 else alpha*(e^x - 1)
	actSoftsign                       // x/(1 + |x|)
	actSoftplus                       // log(1 + e^x)
)

// actInfo is an activation's name and the defaults of the parameters it
// takes (NaN when it takes none): those of the ONNX operator of that name.
var actInfo = [...]struct {
	name        string
	alpha, beta float64
}{
	actRelu:            {"Relu", math.NaN(), math.NaN()},
	actTanh:            {"Tanh", math.NaN(), math.NaN()},
	actSigmoid:         {"Sigmoid", math.NaN(), math.NaN()},
	actAffine:          {"Affine", 1, 0},
	actLeakyRelu:       {"LeakyRelu", 0.01, math.NaN()},
	actThresholdedRelu: {"ThresholdedRelu", 1, math.NaN()},
	actScaledTanh:      {"ScaledTanh", 1, 1},
	actHardSigmoid:     {"HardSigmoid", 0.2, 0.5},
	actElu:             {"Elu", 1, math.NaN()},
	actSoftsign:        {"Softsign", math.NaN(), math.NaN()},
	actSoftplus:        {"Softplus", math.NaN(), math.NaN()},
}

// activation is one activation function with its parameters.
type activation struct {
	kind        actKind
	alpha, beta float64
}

// parseActivations reads the activations attribute's names (matched
// without regard to case) and gives them their parameters: activation_alpha
// and activation_beta are consumed in order by the functions that take
// such a parameter, the others keeping their defaults.
func parseActivations(names [][]byte, alphas, betas []float32) ([]activation, error) {
	acts := make([]activation, len(names))
	for i, nb := range names {
		k := -1
		for j, info := range actInfo {
			if strings.EqualFold(string(nb), info.name) {
				k = j
			}
		}
		if k < 0 {
			return nil, fmt.Errorf("attribute \"activations\": unknown activation %q", nb)
		}
		a := activation{kind: actKind(k), alpha: actInfo[k].alpha, beta: actInfo[k].beta}
		if !math.IsNaN(a.alpha) && len(alphas) > 0 {
			a.alpha, alphas = float64(alphas[0]), alphas[1:]
		}
		if !math.IsNaN(a.beta) && len(betas) > 0 {
			a.beta, betas = float64(betas[0]), betas[1:]
		}
		acts[i] = a
	}
	if len(alphas) > 0 || len(betas) > 0 {
		return nil, fmt.Errorf("attributes \"activation_alpha\" and \"activation_beta\" hold %d and %d values more than the activations take", len(alphas), len(betas))
	}
	return acts, nil
}

// apply sets v[i] = a(v[i]).
func apply[T dense.Float](a activation, v []T) {
	al, be := T(a.alpha), T(a.beta)
	switch a.kind {
	case actRelu:
		for i, x := range v {
			v[i] = max(x, 0)
		}
	case actTanh:
		fmath.ByBlock(v, v, fmath.TanhBlock[T])
	case actSigmoid:
		fmath.ByBlock(v, v, fmath.SigmoidBlock[T])
	case actAffine:
		for i, x := range v {
			v[i] = al*x + be
		}
	case actLeakyRelu:
		for i, x := range v {
			if x < 0 {
				v[i] = al * x
			}
		}
	case actThresholdedRelu:
		for i, x := range v {
			if !(x > al) {
				v[i] = 0
			}
		}
	case actScaledTanh:
		for i, x := range v {
			v[i] = be * x
		}
		fmath.ByBlock(v, v, fmath.TanhBlock[T])
		for i, x := range v {
			v[i] = al * x
		}
	case actHardSigmoid:
		for i, x := range v {
			v[i] = min(max(al*x+be, 0), 1)
		}
	case actElu:
		for i, x := range v {
			if x < 0 {
				v[i] = al * T(math.Expm1(float64(x)))
			}
		}
	case actSoftsign:
		for i, x := range v {
			v[i] = x / (1 + fmath.Abs(x))
		}
	case actSoftplus:
		for i, x := range v {
			// log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), which neither
			// overflows nor loses small results.
			f := float64(x)
			v[i] = T(max(f, 0) + math.Log1p(math.Exp(-math.Abs(f))))
		}
	}
}
