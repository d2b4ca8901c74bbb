package runtime

// Every operator family registers itself with package ops when imported.
import _ "github.com/edgeinfer/edgeinfer/ops/all"
