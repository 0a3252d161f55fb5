package stsfake

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRefusing: the address refuses connections at once, for as long as
// the test runs.
func TestRefusing(t *testing.T) {
	addr := strings.TrimPrefix(Refusing(t), "http://")
	for range 3 {
		start := time.Now()
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err == nil {
			c.Close()
			t.Fatalf("%s accepted a connection", addr)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial %s: %v, want connection refused", addr, err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("the refusal took %s", took)
		}
	}
	if other := strings.TrimPrefix(Refusing(t), "http://"); other == addr {
		t.Errorf("two refusing addresses share %s", addr)
	}
}
