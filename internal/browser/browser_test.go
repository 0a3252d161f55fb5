package browser

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	const u = "https://example.com/?a=b&SigninToken=secret"
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "BROWSER" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name string
		o    Opener
		want [][]string
	}{
		{"--browser wins", Opener{Command: "firefox --new-tab", Getenv: env("chromium")}, [][]string{{"firefox", "--new-tab", u}}},
		{"placeholder", Opener{Command: "w3m %s -dump"}, [][]string{{"w3m", u, "-dump"}}},
		{"BROWSER list", Opener{Getenv: env("nope:lynx")}, [][]string{{"nope", u}, {"lynx", u}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.o.commands(u); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	for goos, first := range map[string]string{"linux": "xdg-open", "darwin": "open", "windows": "rundll32", "freebsd": "xdg-open"} {
		if got := platform(goos, u); got[0][0] != first || got[0][len(got[0])-1] != u {
			t.Errorf("%s opener %q", goos, got)
		}
	}
}

// Open tries each command in turn, says which one worked, and never puts
// the URL in its error.
func TestOpen(t *testing.T) {
	const u = "https://example.com/?SigninToken=secret-token"
	var ran []string
	o := Opener{Command: "", Getenv: func(string) string { return "a:b" }, Run: func(_ context.Context, name string, args ...string) error {
		ran = append(ran, name)
		if name == "a" {
			return errors.New("exit status 3")
		}
		return nil
	}}
	how, err := o.Open(context.Background(), u)
	if err != nil || how != "b" || strings.Join(ran, ",") != "a,b" {
		t.Errorf("opened with %q (%v), ran %v", how, err, ran)
	}
	o.Run = func(context.Context, string, ...string) error { return errors.New("exit status 1") }
	_, err = o.Open(context.Background(), u)
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error %v: want one without the URL", err)
	}
	// A real program that is not installed.
	_, err = Opener{Command: "rolecall-no-such-browser-xyz"}.Open(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "not installed") || strings.Contains(err.Error(), "secret") {
		t.Errorf("missing program: %v", err)
	}
}

func TestContainerURL(t *testing.T) {
	const u = "https://signin.aws.amazon.com/federation?Action=login&Destination=https%3A%2F%2Fx&SigninToken=t"
	got := ContainerURL("prod admin", u)
	rest, ok := strings.CutPrefix(got, "ext+container:")
	if !ok {
		t.Fatalf("got %q", got)
	}
	q, err := url.ParseQuery(rest)
	if err != nil || q.Get("name") != "prod admin" || q.Get("url") != u || len(q) != 2 {
		t.Errorf("ext+container query %v (%v)", q, err)
	}
}
