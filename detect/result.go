package detect

import (
	"encoding/json"
	"math"
)

// Result is one image's detections. Its JSON is the object `edgeinfer
// detect -json` prints per image:
//
//	{"image":"door.jpg","model":"scrfd.onnx","family":"scrfd",
//	 "boxes":[{"x1":12.5,"y1":30,"x2":80.25,"y2":110,"score":0.91,"class":0,"label":"face",
//	           "landmarks":[[30.1,60.2],...]}],
//	 "ms":{"decode":8.2,"preprocess":2.1,"infer":35.2,"postprocess":0.1}}
type Result struct {
	Image  string  `json:"image"`  // the file path or name given; "" for an image.Image
	Model  string  `json:"model"`  // the detector's Name
	Family string  `json:"family"` // the family decoding the outputs
	Boxes  []Box   `json:"boxes"`  // best first
	MS     Timings `json:"ms"`     // where the time went
}

// Box is one detection, in pixels of the upright image (EXIF orientation
// applied): x to the right and y down from its top-left corner, the image
// spanning 0..width and 0..height; corners are clipped to the image.
type Box struct {
	X1, Y1, X2, Y2 float64
	Score          float64
	Class          int     // class index in the model's output (-1 when a model gave none)
	Label          string  // its label
	Landmarks      []Point // face detectors' keypoints (eyes, nose, mouth corners...), not clipped; nil if none
}

// Point is a landmark, in the same pixels as its Box.
type Point struct{ X, Y float64 }

// Timings are one image's milliseconds, to the microsecond.
type Timings struct {
	Decode      float64 `json:"decode"`      // reading and decoding the file (0 for a decoded image)
	Preprocess  float64 `json:"preprocess"`  // resizing, letterboxing and normalising
	Infer       float64 `json:"infer"`       // running the model (the first run of an input shape also plans it)
	Postprocess float64 `json:"postprocess"` // decoding the outputs, suppression, mapping back
}

type boxJSON struct {
	X1        float64      `json:"x1"`
	Y1        float64      `json:"y1"`
	X2        float64      `json:"x2"`
	Y2        float64      `json:"y2"`
	Score     float64      `json:"score"`
	Class     int          `json:"class"`
	Label     string       `json:"label"`
	Landmarks [][2]float64 `json:"landmarks,omitempty"`
}

// round rounds v to n decimals (0 for a value that is not finite, which
// a box never holds once clipped).
func round(v float64, scale float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*scale) / scale
}

// MarshalJSON writes {"x1","y1","x2","y2","score","class","label"} and
// "landmarks" ([[x, y], ...]) when there are any; coordinates are rounded
// to 2 decimals, the score to 6.
func (b Box) MarshalJSON() ([]byte, error) {
	j := boxJSON{X1: round(b.X1, 100), Y1: round(b.Y1, 100), X2: round(b.X2, 100), Y2: round(b.Y2, 100),
		Score: round(b.Score, 1e6), Class: b.Class, Label: b.Label}
	for _, p := range b.Landmarks {
		j.Landmarks = append(j.Landmarks, [2]float64{round(p.X, 100), round(p.Y, 100)})
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (b *Box) UnmarshalJSON(data []byte) error {
	var j boxJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*b = Box{X1: j.X1, Y1: j.Y1, X2: j.X2, Y2: j.Y2, Score: j.Score, Class: j.Class, Label: j.Label}
	for _, p := range j.Landmarks {
		b.Landmarks = append(b.Landmarks, Point{p[0], p[1]})
	}
	return nil
}
