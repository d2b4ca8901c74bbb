package serve

import (
	"net/http"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// detect answers POST /v1/models/NAME/detect with an image as the body.
func (s *Server) detect(w http.ResponseWriter, r *http.Request, m *model) error {
	if m.detector == nil {
		return statusf(http.StatusBadRequest, "model %s cannot detect objects: %w", m.name, m.notDetector)
	}
	// As for classify, one of the model's sessions bounds the requests
	// running at once; the detector runs on sessions of its own.
	return s.withSession(w, r, m, func(_ *runtime.Session, body []byte) error {
		res, err := m.detector.HandleRequest(r.Context(), body, r.URL.Query())
		m.ran(err)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	})
}
