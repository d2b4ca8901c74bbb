package runtime

// The ImageDecoder operator lives in a package of its own, beside the image
// decoders it needs; importing it registers it for every model the runtime
// loads.
import _ "github.com/edgeinfer/edgeinfer/ops/imagedecode"
