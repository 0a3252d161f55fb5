package credserver

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkServeFromMemory measures a request answered from memory over
// loopback, as an SDK makes it: with a kept-alive connection (the Go SDK,
// boto3 in a long run) and with a new connection each time (one AWS CLI
// process per call). It reports the 50th and 99th percentile latency.
func BenchmarkServeFromMemory(b *testing.B) {
	c := &clock{now: time.Now()}
	s, err := Start(ctx, &fakeSource{clock: c, life: time.Hour}, Options{Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, bc := range []struct {
		name      string
		keepAlive bool
	}{{"keep-alive", true}, {"new-connection", false}} {
		b.Run(bc.name, func(b *testing.B) {
			client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: !bc.keepAlive}}
			req, _ := http.NewRequest(http.MethodGet, s.URL(), nil)
			req.Header.Set("Authorization", s.Token())
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
