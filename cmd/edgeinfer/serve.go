//go:build !noserve

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/serve"
)

// builtInServeName is the built-in model's name in URLs.
const builtInServeName = "squeezenet"

// cmdServe is `edgeinfer serve [flags] [[NAME=]MODEL.onnx|DIR...]`: package
// serve on a listening socket until SIGTERM or SIGINT.
func cmdServe(args []string, stderr io.Writer) error {
	fs := newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; :8080 listens on every interface)")
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads per model, and per image decoder")
	maxBody := byteSize(serve.DefaultMaxBodyBytes)
	fs.Var(&maxBody, "max-body", "largest request body (413 above it): bytes, or a number with KiB, MiB or GiB")
	timeout := fs.Duration("timeout", serve.DefaultTimeout, "how long a request waits for a session before a 503, and how long its body may take to arrive (408)")
	sessions := fs.Int("sessions", goruntime.NumCPU(), "requests each model runs at once")
	grace := fs.Duration("grace", serve.DefaultGrace, "on SIGTERM or SIGINT, how long the requests in progress get to finish")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *threads < 1 || *sessions < 1 || *timeout <= 0 || *grace <= 0 || maxBody < 1 {
		return errors.New("serve: -threads, -sessions, -timeout, -grace and -max-body must be positive")
	}
	models, err := loadServed(paths, *threads)
	defer func() {
		for _, m := range models {
			m.Model.Close()
		}
	}()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	s, err := serve.New(models, serve.Options{MaxBodyBytes: int64(maxBody), Sessions: *sessions, Timeout: *timeout,
		Grace: *grace, DecodeThreads: *threads, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return &exitError{1, fmt.Errorf("serve: %w", err)}
	}
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = m.Name
	}
	log.Info("serving", "addr", ln.Addr().String(), "models", strings.Join(names, ","), "sessions", *sessions, "threads", *threads)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := s.Serve(ctx, ln); err != nil {
		return &exitError{1, err}
	}
	return nil
}

// loadServed loads the models to serve (see modelFiles), or the built-in
// one when there are none. It returns the models loaded so far with an
// error, for the caller to close.
func loadServed(args []string, threads int) ([]serve.Model, error) {
	if len(args) == 0 {
		p, _, err := builtInModel()
		if err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		m, err := runtime.LoadModel(p, runtime.WithThreads(threads))
		if err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		return []serve.Model{{Name: builtInServeName, Model: m}}, nil
	}
	files, err := modelFiles(args)
	if err != nil {
		return nil, err
	}
	var models []serve.Model
	from := map[string]string{}
	for _, f := range files {
		if prev, dup := from[f.name]; dup {
			return models, fmt.Errorf("serve: %s and %s would both be served as %q; rename one", prev, f.path, f.name)
		}
		from[f.name] = f.path
		m, err := runtime.Load(f.path, runtime.WithThreads(threads))
		if err != nil {
			return models, fmt.Errorf("serve: %w", err)
		}
		models = append(models, serve.Model{Name: f.name, Model: m})
	}
	return models, nil
}

// modelFile is a model to serve: its name and its file.
type modelFile struct{ name, path string }

// modelFiles reads the model arguments: a file, named after itself without
// .onnx; a folder, meaning its .onnx files (sorted by name, not
// recursive); or NAME=PATH, the file at PATH (or the one .onnx file of the
// folder PATH) served as NAME.
func modelFiles(args []string) ([]modelFile, error) {
	var files []modelFile
	for _, arg := range args {
		name, path, named := strings.Cut(arg, "=")
		if _, err := os.Stat(arg); !named || err == nil || name == "" || strings.ContainsAny(name, `/\`) {
			name, path, named = "", arg, false // a path, maybe holding "="
		}
		var found []modelFile
		st, err := os.Stat(path)
		if err != nil || !st.IsDir() {
			found = append(found, modelFile{nameOf(path), path}) // loading it reports what is wrong
		} else {
			entries, err := os.ReadDir(path)
			if err != nil {
				return nil, fmt.Errorf("serve: %w", err)
			}
			for _, e := range entries {
				if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".onnx") {
					found = append(found, modelFile{nameOf(e.Name()), filepath.Join(path, e.Name())})
				}
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("serve: folder %s holds no .onnx file", path)
			}
		}
		if named {
			if len(found) > 1 {
				return nil, fmt.Errorf("serve: %s: folder %s holds %d .onnx files; name one of them", arg, path, len(found))
			}
			found[0].name = name
		}
		files = append(files, found...)
	}
	return files, nil
}

// nameOf is the name a model file is served as: its name without .onnx.
func nameOf(path string) string {
	name := filepath.Base(path)
	if ext := filepath.Ext(name); strings.EqualFold(ext, ".onnx") {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}
