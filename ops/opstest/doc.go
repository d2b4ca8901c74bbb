// Package opstest holds helpers for the operator packages' tests: node and
// attribute builders, evaluation of one operator on tensors, comparisons,
// parallel runners that cut loops at odd boundaries, and the runner of the
// official ONNX node tests in ../shared (skipping when it is absent).
package opstest
