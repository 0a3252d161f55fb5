package ui

import (
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/rolecall/rolecall/internal/profilegen"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// generatedSet loads n generated profiles (internal/profilegen) through
// the real reader, so the list holds what a large organisation's files do.
func generatedSet(b testing.TB, n int) *profiles.Set {
	b.Helper()
	cfg, cred := profilegen.Generate(n)
	config, credentials, err := profilegen.WriteFiles(b.TempDir(), cfg, cred)
	if err != nil {
		b.Fatal(err)
	}
	set, err := profiles.Load(profiles.Files{Config: config, Credentials: credentials})
	if err != nil {
		b.Fatal(err)
	}
	return set
}

func benchModel(set *profiles.Set) *Model {
	c := &clock{now: t0}
	return newModel(c, Options{Manager: newFakeManager(set, c), Width: 140, Height: 40, Environ: []string{}})
}

// BenchmarkFirstFrame is start-up to the first frame, New then View, with
// 10 and 10,000 profiles (the files already read: profiles.BenchmarkLoad10k
// is that part).
func BenchmarkFirstFrame(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			set := generatedSet(b, n)
			b.ReportAllocs()
			for b.Loop() {
				m := benchModel(set)
				_ = m.View()
			}
		})
	}
}

// BenchmarkPaintFirstFrame is start-up to the first frame on the terminal:
// New, then the frame painted before the program starts, in 256 colours.
func BenchmarkPaintFirstFrame(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			set := generatedSet(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if err := benchModel(set).PaintFirstFrame(io.Discard, colorprofile.ANSI256); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFilterKeystroke is one key typed into the filter with 10,000
// profiles, frame included. The first key searches everything; later keys
// narrow the previous result, so the first key is the one measured.
func BenchmarkFilterKeystroke(b *testing.B) { benchFilterKey(b, "") }

// BenchmarkFilterNarrowing is a key that extends an existing pattern.
func BenchmarkFilterNarrowing(b *testing.B) { benchFilterKey(b, "p") }

// BenchmarkScreenKeystroke is BenchmarkFilterKeystroke with the frame
// drawn on the terminal (/dev/null) by Screen, as the program does: the
// work between a key and its frame leaving the process.
func BenchmarkScreenKeystroke(b *testing.B) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	s := NewScreen(null, colorprofile.ANSI256, 140, 40, nil, true)
	m := s.Model(benchModel(generatedSet(b, 10000)))
	m, _ = m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
	m.View()
	s.Sync()
	key := tea.KeyPressMsg{Code: 'a', Text: "a"}
	back := tea.KeyPressMsg{Code: tea.KeyBackspace}
	b.ReportAllocs()
	for b.Loop() {
		m, _ = m.Update(key)
		_ = m.View()
		s.Sync() // the frame is written
		b.StopTimer()
		m, _ = m.Update(back)
		_ = m.View()
		s.Sync()
		b.StartTimer()
	}
}

// benchFilterKey times typing 'a' after typed, then takes it back.
func benchFilterKey(b *testing.B, typed string) {
	m := benchModel(generatedSet(b, 10000))
	m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
	for _, r := range typed {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	key := tea.KeyPressMsg{Code: 'a', Text: "a"}
	back := tea.KeyPressMsg{Code: tea.KeyBackspace}
	b.ReportAllocs()
	for b.Loop() {
		m.Update(key)
		_ = m.View()
		b.StopTimer()
		m.Update(back)
		b.StartTimer()
	}
}

// BenchmarkIdleTick is the work of one clock tick with 50 live sessions
// (10 of them on auto-renew, none due): what idle CPU is made of.
func BenchmarkIdleTick(b *testing.B) {
	m := benchModel(generatedSet(b, 50))
	for i, r := range m.list.rows {
		r.sess = &session.Session{Profile: r.p.Name, IssuedAt: t0, Creds: session.Credentials{Expires: t0.Add(time.Duration(i+20) * time.Minute)}}
		if i%5 == 0 {
			m.renewer.SetAuto(r.p.Name, true)
		}
	}
	msg := tickMsg(t0)
	b.ReportAllocs()
	for b.Loop() {
		m.Update(msg)
		_ = m.View()
	}
}
