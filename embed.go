// Package grantwatch holds what the whole module shares at its root: the
// example configuration, embedded so that the binary runs without any file.
package grantwatch

import _ "embed"

// ExampleConfig is config.example.toml: every key with its default.
//
//go:embed config.example.toml
var ExampleConfig []byte
