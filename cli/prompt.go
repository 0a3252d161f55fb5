package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
)

// terminalPrompt asks for an MFA code on stderr and reads one line. It
// gives up when the command's context ends (its deadline, Ctrl-C), even
// though the read itself cannot be interrupted.
func terminalPrompt(in io.Reader, out io.Writer) session.MFAPrompt {
	r := bufio.NewReader(in)
	return func(ctx context.Context, profile, serial string) (string, error) {
		fmt.Fprintf(out, "MFA code for %s (profile %s): ", termsafe.Clean(serial), termsafe.Clean(profile))
		type answer struct {
			line string
			err  error
		}
		got := make(chan answer, 1)
		go func() {
			line, err := r.ReadString('\n')
			got <- answer{line, err}
		}()
		select {
		case a := <-got:
			if a.err != nil && a.line == "" {
				return "", errors.New("no code was typed")
			}
			return strings.TrimSpace(a.line), nil
		case <-ctx.Done():
			fmt.Fprintln(out)
			return "", fmt.Errorf("no code was typed in time (%w)", ctx.Err())
		}
	}
}
