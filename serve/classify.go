package serve

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// classifyFailure is the answer for an image whose scores came out not
// finite: the result, with null scores, and the error, as `edgeinfer
// -json` prints it.
type classifyFailure struct {
	*classify.Result
	Error string `json:"error"`
}

// classify answers POST /v1/models/NAME/classify?k=5 with an image as the
// body.
func (s *Server) classify(w http.ResponseWriter, r *http.Request, m *model) error {
	q := r.URL.Query()
	k := classify.DefaultK
	if v := q.Get("k"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxTopK {
			return statusf(http.StatusBadRequest, "k=%q: want a number of classes from 1 to %d", v, MaxTopK)
		}
		k = n
	}
	if m.classifier == nil {
		return statusf(http.StatusBadRequest, "model %s cannot classify images: %w", m.name, m.notClassifier)
	}
	name := q.Get("name")
	errName := name
	if errName == "" {
		errName = "the request body"
	}
	var res classify.Result
	// The classifier has sessions of its own; taking one of the model's
	// bounds the requests it runs at once all the same.
	err := s.withSession(w, r, m, func(_ *runtime.Session, body []byte) error {
		err := m.classifier.ClassifyReader(r.Context(), bytes.NewReader(body), errName, &res)
		m.ran(err)
		return err
	})
	res.Image = name
	if len(res.Top) > k {
		res.Top = res.Top[:k]
	}
	switch {
	case errors.Is(err, classify.ErrNotFinite):
		s.log.Error("request failed", "status", http.StatusInternalServerError, "error", err)
		writeJSON(w, http.StatusInternalServerError, classifyFailure{Result: &res, Error: err.Error()})
		return nil
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusOK, &res)
	return nil
}
