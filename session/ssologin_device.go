package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

// beginDevice starts the device authorization flow (RFC 8628).
func (m *Manager) beginDevice(ctx context.Context, t target, cfg ssoConfig, l *Login) (*Login, error) {
	reg, err := m.registration(ctx, t, cfg, false)
	if err != nil {
		return nil, err
	}
	client := m.oidcClient(t, cfg.region)
	auth, err := client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: aws.String(reg.ClientID), ClientSecret: aws.String(reg.ClientSecret), StartUrl: aws.String(cfg.startURL),
	})
	if err != nil {
		return nil, oidcErr(t, cfg, "start the device authorization", err)
	}
	l.Flow = FlowDevice
	l.URL = aws.ToString(auth.VerificationUriComplete)
	if l.URL == "" {
		l.URL = aws.ToString(auth.VerificationUri)
	}
	l.UserCode = aws.ToString(auth.UserCode)
	if err := checkPageURL(l.URL); err != nil {
		return nil, fmt.Errorf("%s: SSO OIDC sent a verification page that cannot be opened (%v)", cfg.name(), err)
	}
	unit := m.pollUnit
	if unit == 0 {
		unit = time.Second
	}
	interval := time.Duration(auth.Interval) * unit
	if interval <= 0 {
		interval = defaultPollInterval / time.Second * unit
	}
	deadline := time.Now().Add(time.Duration(max(auth.ExpiresIn, 60)) * time.Second)
	deviceCode := aws.ToString(auth.DeviceCode)
	l.wait = func(ctx context.Context) (time.Time, error) {
		ctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		for {
			out, err := client.CreateToken(ctx, &ssooidc.CreateTokenInput{
				ClientId: aws.String(reg.ClientID), ClientSecret: aws.String(reg.ClientSecret),
				GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: aws.String(deviceCode),
			})
			var (
				pending *oidctypes.AuthorizationPendingException
				slow    *oidctypes.SlowDownException
				expired *oidctypes.ExpiredTokenException
				denied  *oidctypes.AccessDeniedException
			)
			switch {
			case err == nil:
				return m.storeLogin(l, cfg, reg, out)
			case errors.As(err, &pending):
			case errors.As(err, &slow):
				interval += slowDownStep / time.Second * unit
			case errors.As(err, &expired) || (ctx.Err() != nil && time.Now().After(deadline)):
				return time.Time{}, fmt.Errorf("%s: the code %s was not approved in time; log in again", cfg.name(), l.UserCode)
			case errors.As(err, &denied):
				return time.Time{}, fmt.Errorf("%s: the login was denied in the browser", cfg.name())
			case ctx.Err() != nil:
				return time.Time{}, fmt.Errorf("%s: login cancelled", cfg.name())
			default:
				return time.Time{}, oidcErr(t, cfg, "get the SSO token", err)
			}
			timer := time.NewTimer(interval)
			select {
			case <-ctx.Done():
				timer.Stop()
				if time.Now().After(deadline) {
					return time.Time{}, fmt.Errorf("%s: the code %s was not approved in time; log in again", cfg.name(), l.UserCode)
				}
				return time.Time{}, fmt.Errorf("%s: login cancelled", cfg.name())
			case <-timer.C:
			}
		}
	}
	return l, nil
}
