// Command profilegen writes a generated config and credentials file:
//
//	go run ./internal/profilegen/cmd -n 10000 -dir /tmp/aws10k
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rolecall/rolecall/internal/profilegen"
)

func main() {
	n := flag.Int("n", 10000, "number of profiles")
	dir := flag.String("dir", ".", "directory to write config and credentials into")
	flag.Parse()
	cfg, cred := profilegen.Generate(*n)
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "profilegen:", err)
		os.Exit(1)
	}
	if _, _, err := profilegen.WriteFiles(*dir, cfg, cred); err != nil {
		fmt.Fprintln(os.Stderr, "profilegen:", err)
		os.Exit(1)
	}
}
