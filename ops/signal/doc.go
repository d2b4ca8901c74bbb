// Package signal holds the signal-processing operators: DFT, STFT, the Hann,
// Hamming and Blackman windows and MelWeightMatrix. They register themselves
// with package ops when this package is imported.
package signal
