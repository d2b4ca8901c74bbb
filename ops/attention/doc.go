// Package attention holds the transformer blocks: Attention,
// RotaryEmbedding, LinearAttention and FlexAttention. They register
// themselves with package ops when this package is imported.
package attention
