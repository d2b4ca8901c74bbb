package nn

import (
	"math"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dwconv"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// actEpilogue returns the GEMM epilogue fields applying a: Relu and Clip
// as a clamp (in the kernel's registers where it has an epilogue), the
// others as a function over each finished row, SIMD through
// dwconv.Activate; the zero Epilogue for no activation.
func actEpilogue(a ops.Activation) gemm.Epilogue {
	switch a.Kind {
	case ops.ActRelu:
		return gemm.Epilogue{Clamp: true, Lo: 0, Hi: float32(math.Inf(1))}
	case ops.ActClip:
		return gemm.Epilogue{Clamp: true, Lo: a.Min, Hi: a.Max}
	case ops.ActNone:
		return gemm.Epilogue{}
	}
	e := dwEpilogue(a)
	return gemm.Epilogue{Act: func(row []float32) { dwconv.Activate(row, &e) }}
}

// dwEpilogue returns the depthwise kernels' epilogue applying a.
func dwEpilogue(a ops.Activation) dwconv.Epilogue {
	switch a.Kind {
	case ops.ActRelu:
		return dwconv.Epilogue{Act: dwconv.Clamp, Lo: 0, Hi: float32(math.Inf(1))}
	case ops.ActClip:
		return dwconv.Epilogue{Act: dwconv.Clamp, Lo: a.Min, Hi: a.Max}
	case ops.ActLeakyRelu:
		return dwconv.Epilogue{Act: dwconv.LeakyRelu, Alpha: a.Alpha}
	case ops.ActHardSwish:
		return dwconv.Epilogue{Act: dwconv.HardSwish, Alpha: a.Alpha, Beta: a.Beta}
	case ops.ActSwish:
		return dwconv.Epilogue{Act: dwconv.Swish, Alpha: a.Alpha}
	}
	return dwconv.Epilogue{}
}
