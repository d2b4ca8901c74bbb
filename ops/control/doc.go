// Package control holds the control-flow operators If, Loop and Scan, which
// run their graph attributes through ops.Subgraph. They register themselves
// with package ops when this package is imported.
package control
