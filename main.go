// Command rolecall lists the AWS profiles that become role sessions,
// assumes and renews them through STS, and hands their credentials on.
package main

import (
	"os"

	"github.com/rolecall/rolecall/cli"
)

func main() { os.Exit(cli.Main()) }
