package community

import "strings"

// NameKey is the key people are ordered and searched by: their name in
// lower case. Backends compute it in Go, so every backend orders alike.
func NameKey(name string) string { return strings.ToLower(name) }
