// Package profilegen generates large, realistic AWS config and credentials
// files for benchmarks: IAM users with static keys, role chains one to
// three hops deep, credential_source roles, MFA roles, SSO profiles,
// comments, dotted names and sub-properties. The output depends only on n.
package profilegen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFiles writes config and credentials texts as the files "config"
// and "credentials" in dir, readable by their owner alone, and returns
// their paths.
func WriteFiles(dir string, config, credentials []byte) (configPath, credentialsPath string, err error) {
	configPath, credentialsPath = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(configPath, config, 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(credentialsPath, credentials, 0o600); err != nil {
		return "", "", err
	}
	return configPath, credentialsPath, nil
}

var (
	teams   = []string{"payments", "search", "platform", "data", "identity", "mobile", "billing", "infra"}
	envs    = []string{"prod", "staging", "dev", "sandbox"}
	perms   = []string{"Admin", "ReadOnly", "Deploy", "Audit", "OnCall"}
	sources = []string{"Ec2InstanceMetadata", "Environment", "EcsContainer"}
	regions = []string{"us-east-1", "eu-west-1", "ap-southeast-2", "eu-central-1"}
)

// Generate returns a config and a credentials file holding n profiles in
// all. Every tenth profile is an IAM user whose keys are in the
// credentials file; the others are roles on those users (some chained
// two or three deep), roles on a credential_source, MFA roles and SSO
// profiles. Every profile resolves without error.
func Generate(n int) (config, credentials []byte) {
	var cfg, cred bytes.Buffer
	cfg.Grow(n * 150)
	cred.Grow(n / 10 * 110)
	cfg.WriteString("# Generated: one IAM user per ten profiles, roles chained on them.\n")
	cfg.WriteString("[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n")
	names := make([]string, n)
	user := ""
	for i := range n {
		team, env := teams[i%len(teams)], envs[i/len(teams)%len(envs)]
		perm := perms[i/32%len(perms)]
		account := 100000000000 + i*7919%900000000000
		if i%10 == 0 {
			user = fmt.Sprintf("user-%s-%05d", team, i)
			names[i] = user
			fmt.Fprintf(&cred, "[%s]\naws_access_key_id = AKIAGEN%013d\naws_secret_access_key = genSecret%031d\n\n", user, i, i)
			fmt.Fprintf(&cfg, "[profile %s]\nregion = %s\n", user, regions[i%len(regions)])
			if i%20 == 0 {
				fmt.Fprintf(&cfg, "mfa_serial = arn:aws:iam::%012d:mfa/%s\n", account, user)
			}
			cfg.WriteByte('\n')
			continue
		}
		name := fmt.Sprintf("%s.%s-%s-%05d", team, env, perm, i)
		names[i] = name
		if i%7 == 0 {
			fmt.Fprintf(&cfg, "# %s %s, owned by the %s team\n", perm, env, team)
		}
		if i%10 == 9 && i%20 == 9 {
			fmt.Fprintf(&cfg, "[profile %s]\nsso_session = corp\nsso_account_id = %012d\nsso_role_name = %s\nregion = %s\n\n",
				name, account, perm, regions[i%len(regions)])
			continue
		}
		fmt.Fprintf(&cfg, "[profile %s]\nrole_arn = arn:aws:iam::%012d:role/%s\n", name, account, perm)
		switch i % 10 {
		case 1, 2, 3, 4, 9:
			fmt.Fprintf(&cfg, "source_profile = %s\n", user)
		case 5:
			fmt.Fprintf(&cfg, "source_profile = %s\nrole_session_name = chain-%d\n", names[i-4], i)
		case 6:
			fmt.Fprintf(&cfg, "source_profile = %s\n", names[i-1])
		case 7:
			fmt.Fprintf(&cfg, "credential_source = %s\n", sources[i/10%len(sources)])
		case 8:
			fmt.Fprintf(&cfg, "source_profile = %s\nmfa_serial = arn:aws:iam::%012d:mfa/%s\n", user, 100000000000+i/10, user)
		}
		if i%3 == 0 {
			fmt.Fprintf(&cfg, "external_id = ext-%s-%d ; shared with the account owner\n", team, i)
		}
		if i%4 == 0 {
			fmt.Fprintf(&cfg, "region = %s\nduration_seconds = %d\n", regions[i/4%len(regions)], 3600*(1+i%4))
		}
		if i%11 == 0 {
			cfg.WriteString("s3 =\n  addressing_style = path\n  signature_version = s3v4\n")
		}
		cfg.WriteByte('\n')
	}
	return cfg.Bytes(), cred.Bytes()
}

// Chain returns a config in which profile h(n-1) sits at the end of a
// chain of n roles, each sourced from the one before, from the IAM user
// "base" whose keys are in the config too, next to one unrelated role
// "unrelated" on the same user: the shape of a config that made every
// command slow when chains were resolved in quadratic time.
func Chain(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 90)
	b.WriteString("[profile base]\naws_access_key_id = AKIAEXAMPLECHAIN0001\naws_secret_access_key = chain-secret-not-real\n\n")
	b.WriteString("[profile unrelated]\nrole_arn = arn:aws:iam::123456789012:role/unrelated\nsource_profile = base\n\n")
	for i := range n {
		src := "base"
		if i > 0 {
			src = fmt.Sprintf("h%d", i-1)
		}
		fmt.Fprintf(&b, "[profile h%d]\nrole_arn = arn:aws:iam::123456789012:role/h%d\nsource_profile = %s\n\n", i, i, src)
	}
	return b.Bytes()
}

// Fan returns a config with a chain of depth roles (t0 … t(depth-1)) and
// leaves roles sourced from its last one: every leaf's chain repeats the
// whole trunk, so the hops a loaded config holds grow with depth × leaves.
func Fan(depth, leaves int) []byte {
	var b bytes.Buffer
	b.WriteString("[profile base]\naws_access_key_id = AKIAEXAMPLECHAIN0001\naws_secret_access_key = chain-secret-not-real\n\n")
	for i := range depth {
		src := "base"
		if i > 0 {
			src = fmt.Sprintf("t%d", i-1)
		}
		fmt.Fprintf(&b, "[profile t%d]\nrole_arn = arn:aws:iam::123456789012:role/t\nsource_profile = %s\n", i, src)
	}
	for i := range leaves {
		fmt.Fprintf(&b, "[profile l%d]\nrole_arn = arn:aws:iam::123456789012:role/l\nsource_profile = t%d\n", i, depth-1)
	}
	return b.Bytes()
}
