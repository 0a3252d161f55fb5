package testenv

import (
	"net/http"
	"testing"
)

func TestStartMotoServesIMDSAndStops(t *testing.T) {
	m := StartMoto(t)
	req, _ := http.NewRequest(http.MethodPut, m.URL+"/latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("IMDS token from moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IMDS token status %d", resp.StatusCode)
	}
	m.Stop()
	if _, err := http.Get(m.URL + "/moto-api/"); err == nil {
		t.Fatal("moto_server still answers after Stop")
	}
}
