package session

import "time"

// due is RenewPolicy.Due.
func (p RenewPolicy) due(now, exp, lastFailure time.Time, failures int) bool {
	if exp.IsZero() || now.Before(exp.Add(-p.Before)) {
		return false
	}
	if failures > 0 && !lastFailure.IsZero() && now.Before(lastFailure.Add(p.backoff(failures))) {
		return false
	}
	return true
}

// backoff doubles from MinBackoff with each failure in a row, up to
// MaxBackoff, so a broken renewal never turns into a tight loop.
func (p RenewPolicy) backoff(failures int) time.Duration {
	d := p.MinBackoff
	if d <= 0 {
		d = time.Second
	}
	for i := 1; i < failures; i++ {
		d *= 2
		if p.MaxBackoff > 0 && d >= p.MaxBackoff {
			return p.MaxBackoff
		}
	}
	if p.MaxBackoff > 0 && d > p.MaxBackoff {
		return p.MaxBackoff
	}
	return d
}
