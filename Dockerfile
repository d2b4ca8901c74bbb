# syntax=docker/dockerfile:1
#
# edgeinfer serve in a container: one static binary on an empty (scratch)
# image, for linux/amd64, linux/arm64 and linux/arm/v7, built by cross-compiling
# on the build machine (no emulation):
#
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 \
#       -t registry.example.com/edgeinfer:latest --push .
#
# It serves the models given as arguments (a file, a folder of .onnx files, or
# NAME=PATH), or the built-in SqueezeNet 1.0 without any, on port 8080:
#
#   docker run --rm -p 8080:8080 -v "$PWD/models:/models:ro" registry.example.com/edgeinfer /models
#
# No CA certificates: edgeinfer makes no outgoing TLS connection. No shell, no
# libc: the image is the binary alone, run as an unprivileged user.

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# GOARM is the variant without its "v" (arm/v7: 7); other architectures
# ignore it. -buildvcs=false: the build context has no .git.
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} \
    go build -trimpath -ldflags=-s -buildvcs=false -o /out/edgeinfer ./cmd/edgeinfer

FROM scratch
COPY --from=build /out/edgeinfer /edgeinfer
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/edgeinfer", "serve", "-addr", ":8080"]
