package detect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// ErrRequest: a request's parameters are malformed (an HTTP server
// answers 400, as for ErrImage).
var ErrRequest = errors.New("bad detection request")

// HandleRequest is what a POST /v1/models/NAME/detect handler needs: body
// is the image file (any format DetectReader decodes), query the request's
// optional parameters conf, iou, max_det (numbers; absent or empty: the
// detector's) and agnostic (true or false); name, when given, is echoed as
// the Result's image. It returns the Result to answer as JSON, the object
// `edgeinfer detect -json` prints. Errors wrap ErrRequest or ErrImage for
// the caller's faults; others (the model's, runtime.ErrClosed...) are the
// server's.
func (d *Detector) HandleRequest(ctx context.Context, body []byte, query url.Values) (*Result, error) {
	th := d.th
	for key, dst := range map[string]*float64{"conf": &th.Conf, "iou": &th.IoU} {
		if v := query.Get(key); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("%s=%q: not a number: %w", key, v, ErrRequest)
			}
			*dst = f
		}
	}
	if v := query.Get("max_det"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("max_det=%q: want a count of at least 1: %w", v, ErrRequest)
		}
		th.MaxDet = n
	}
	if v := query.Get("agnostic"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("agnostic=%q: want true or false: %w", v, ErrRequest)
		}
		th.Agnostic = b
	}
	if th.Conf == 0 { // explicitly 0: keep every box
		th.Conf = 1e-38
	}
	if err := th.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrRequest)
	}
	view := &Detector{core: d.core, th: th}
	name := query.Get("name")
	errName := name
	if errName == "" {
		errName = "the request body"
	}
	var res Result
	if err := view.DetectReader(ctx, bytes.NewReader(body), errName, &res); err != nil {
		return nil, err
	}
	res.Image = name
	return &res, nil
}
