package classify

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/preprocess"
)

func mustPreset(t *testing.T, name string) preprocess.Preset {
	t.Helper()
	p, err := preprocess.PresetByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
