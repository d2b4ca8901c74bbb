module github.com/edgeinfer/edgeinfer

go 1.26.8

require (
	github.com/disintegration/imaging v1.6.2 // indirect
	golang.org/x/image v0.48.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
