// Package linalg holds linear-algebra operators beyond MatMul: Einsum and
// Det. They register themselves with package ops when this package is
// imported.
package linalg
