// The floor of a Go command: a program that starts the Go runtime and
// exits, built with CGO_ENABLED=0 (static, no dynamic loader). make bench
// times it next to the launch.
package main

func main() {}
