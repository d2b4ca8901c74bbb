package classify

import (
	"encoding/json"
	"math"
)

// Result is one image's classification. Its JSON is the object `edgeinfer
// -json` prints per image:
//
//	{"image":"chelsea.png","model":"squeezenet1.0.onnx","preset":"caffe",
//	 "top":[{"index":285,"label":"Egyptian cat","score":0.397116},...],
//	 "ms":{"decode":8.012,"preprocess":2.1,"infer":35.2}}
type Result struct {
	Image  string  `json:"image"`  // the file path or name given; "" for Classify
	Model  string  `json:"model"`  // the classifier's Name
	Preset string  `json:"preset"` // the normalisation preset used
	Top    []Class `json:"top"`    // the best classes, best first
	MS     Timings `json:"ms"`     // where the time went
}

// Class is one row of a Result's top list.
type Class struct {
	Index int     // class index in the model's output
	Label string  // its label
	Score float64 // its probability (NaN when the model's scores were not finite)
}

// Timings are one image's milliseconds, to the microsecond.
type Timings struct {
	Decode     float64 `json:"decode"`     // reading and decoding the file (0 for Classify)
	Preprocess float64 `json:"preprocess"` // resizing, cropping and normalising
	Infer      float64 `json:"infer"`      // running the model (the first run of an input shape also plans it)
}

// classJSON is Class's JSON form: the score rounded to 6 decimals, or null
// when it is not a finite number (which JSON cannot hold).
type classJSON struct {
	Index int      `json:"index"`
	Label string   `json:"label"`
	Score *float64 `json:"score"`
}

// MarshalJSON writes {"index":…,"label":…,"score":…}, the score rounded to
// 6 decimals, or null when it is NaN or infinite.
func (c Class) MarshalJSON() ([]byte, error) {
	j := classJSON{Index: c.Index, Label: c.Label}
	if !math.IsNaN(c.Score) && !math.IsInf(c.Score, 0) {
		s := math.Round(c.Score*1e6) / 1e6
		j.Score = &s
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes; a null score reads as NaN.
func (c *Class) UnmarshalJSON(b []byte) error {
	var j classJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	c.Index, c.Label, c.Score = j.Index, j.Label, math.NaN()
	if j.Score != nil {
		c.Score = *j.Score
	}
	return nil
}
