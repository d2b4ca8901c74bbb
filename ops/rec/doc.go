// Package rec holds the recurrent layers: RNN, GRU and LSTM. They register
// themselves with package ops when this package is imported.
package rec
