package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rolecall/rolecall/session"
)

// terminalPrompt asks for an MFA code on stderr and reads one line.
func terminalPrompt(in io.Reader, out io.Writer) session.MFAPrompt {
	r := bufio.NewReader(in)
	return func(_ context.Context, profile, serial string) (string, error) {
		fmt.Fprintf(out, "MFA code for %s (profile %s): ", serial, profile)
		line, err := r.ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no code was typed")
		}
		return strings.TrimSpace(line), nil
	}
}
