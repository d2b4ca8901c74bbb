// Package text holds text feature extraction on integer tokens:
// TfIdfVectorizer. They register themselves with package ops when this
// package is imported.
package text
