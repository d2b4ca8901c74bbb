// Package random holds the random generators: RandomNormal, RandomUniform,
// their *Like forms, Bernoulli and Multinomial. They register themselves
// with package ops when this package is imported.
package random
