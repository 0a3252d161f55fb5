package cli

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/rolecall/rolecall/profiles"
)

// Listing 100,000 profiles reads, for each one, memory spread over the
// whole model (its name, its properties, its chain) in the order of names,
// not the order the files were read in; that waiting, not the formatting,
// is most of its time. The rows are therefore measured and formatted on
// every core, a chunk at a time, and written in order.

// listChunk is how many rows a worker formats at a time: a few hundred
// kilobytes of JSON at most.
const listChunk = 256

// listWorkers is how many goroutines measure and format rows: one per
// core, at most four, and one when there are too few rows to share.
func listWorkers(n int) int {
	if n < 8*listChunk {
		return 1
	}
	return min(runtime.GOMAXPROCS(0), 4)
}

// eachPart runs f on the parts of ps, one per worker, at once.
func eachPart(ps []*profiles.Profile, f func(part []*profiles.Profile)) {
	workers := listWorkers(len(ps))
	var wg sync.WaitGroup
	for i := range workers {
		part := ps[i*len(ps)/workers : (i+1)*len(ps)/workers]
		if i == workers-1 {
			f(part)
			break
		}
		wg.Go(func() { f(part) })
	}
	wg.Wait()
}

// rowFormatter appends row i of the list, profile p, to b. scratch is the
// worker's own, kept from one row to the next.
type rowFormatter func(b []byte, i int, p *profiles.Profile, scratch *[]string) []byte

// writeRows writes every row of ps in order, formatted by row on the
// workers; at most two chunks per worker wait in memory at any time.
func writeRows(w io.Writer, ps []*profiles.Profile, row rowFormatter) error {
	chunks := (len(ps) + listChunk - 1) / listChunk
	format := func(b []byte, c int, scratch *[]string) []byte {
		for i := c * listChunk; i < min((c+1)*listChunk, len(ps)); i++ {
			b = row(b, i, ps[i], scratch)
		}
		return b
	}
	workers := listWorkers(len(ps))
	if workers == 1 {
		var scratch []string
		b := make([]byte, 0, 32<<10)
		for c := range chunks {
			b = format(b[:0], c, &scratch)
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	// Chunk c goes to done[c]. A worker takes a token before it takes the
	// next chunk, so chunks are taken in order and the writer, which
	// hands a token back for each chunk written, never waits on a chunk
	// no worker holds.
	done := make([]chan []byte, chunks)
	for c := range done {
		done[c] = make(chan []byte, 1)
	}
	tokens := make(chan []byte, 2*workers)
	for range 2 * workers {
		tokens <- make([]byte, 0, 32<<10)
	}
	var next atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	for range workers {
		go func() {
			var scratch []string
			for {
				var b []byte
				select {
				case b = <-tokens:
				case <-stop:
					return
				}
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				done[c] <- format(b[:0], c, &scratch)
			}
		}()
	}
	for c := range chunks {
		b := <-done[c]
		if _, err := w.Write(b); err != nil {
			return err
		}
		tokens <- b
	}
	return nil
}
