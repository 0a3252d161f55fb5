//go:build windows

package cli

func removeCounter() {}
