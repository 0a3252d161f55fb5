package ui

import (
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
