package sandbox

// The sandbox's AWS files: one made-up organisation, shaped like a real
// one, so that every kind of chain rolecall handles has an example.

const configFile = `# rolecall demo sandbox: a made-up organisation. Nothing here reaches AWS;
# STS and the instance metadata service are emulated on loopback.

[default]
region = eu-west-1

[profile alice]
region = eu-west-1

# Cross-account roles assumed with alice's keys.
[profile prod-admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice
region = eu-west-1
duration_seconds = 7200

[profile staging-read]
role_arn = arn:aws:iam::333333333333:role/ReadOnly
source_profile = alice
external_id = staging-7f3a9c
region = us-east-1

[profile data-analyst]
role_arn = arn:aws:iam::888888888888:role/Analyst
source_profile = alice
region = eu-central-1

[profile network-ops]
role_arn = arn:aws:iam::555555555555:role/NetworkOps
source_profile = alice
region = us-west-2

# A chained role: alice -> prod-admin -> audit (STS caps it at one hour).
[profile audit-chained]
role_arn = arn:aws:iam::444444444444:role/Audit
source_profile = prod-admin
region = eu-central-1

# This role's trust policy asks for MFA: any 6 digits work here.
[profile billing-mfa]
role_arn = arn:aws:iam::999999999999:role/Billing
source_profile = alice
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = us-east-1

# Roles assumed from the machine's own credentials.
[profile ec2-deploy]
role_arn = arn:aws:iam::666666666666:role/Deploy
credential_source = Ec2InstanceMetadata
region = eu-west-1

[profile ci-release]
role_arn = arn:aws:iam::777777777777:role/Release
credential_source = Environment
region = us-west-2

# IAM Identity Center: log in once (the demo's login allows itself after
# a moment), then every account and role of the portal is a profile away:
# rolecall sso profiles --sso-session demo-corp --write adds them.
[sso-session demo-corp]
sso_start_url = https://demo-corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile sso-data]
sso_session = demo-corp
sso_account_id = 121212121212
sso_role_name = DataEngineer
region = eu-west-1

# A mistake rolecall points out: the source profile does not exist.
[profile legacy-reports]
role_arn = arn:aws:iam::123456789012:role/Reports
source_profile = old-user
region = eu-west-1
`

const credentialsFile = `# alice's long-term keys (made up; they only work against the sandbox).
[alice]
aws_access_key_id = AKIADEMOALICE0000001
aws_secret_access_key = demo/alice/SecretKeyThatOnlyTheSandboxKnows0
`

// The users the emulator knows by their long-term keys.
const (
	aliceKeyID  = "AKIADEMOALICE0000001"
	aliceSecret = "demo/alice/SecretKeyThatOnlyTheSandboxKnows0"
	ciKeyID     = "AKIADEMOCIRUNNER0001"
	ciSecret    = "demo/ci/SecretKeyThatOnlyTheSandboxKnows0000"
)

// roleSpec is one role the emulator lets people assume.
type roleSpec struct {
	externalID string
	mfa        bool
	// lifetime is how long the demo's sessions last at most: short, so
	// countdowns change colour within a minute or two.
	lifetime int // seconds
}

var roles = map[string]roleSpec{
	"arn:aws:iam::222222222222:role/Admin":      {lifetime: 7200},
	"arn:aws:iam::333333333333:role/ReadOnly":   {externalID: "staging-7f3a9c", lifetime: 16 * 60},
	"arn:aws:iam::888888888888:role/Analyst":    {lifetime: 45 * 60},
	"arn:aws:iam::555555555555:role/NetworkOps": {lifetime: 9 * 60},
	"arn:aws:iam::444444444444:role/Audit":      {lifetime: 6 * 60},
	"arn:aws:iam::999999999999:role/Billing":    {mfa: true, lifetime: 4 * 60},
	"arn:aws:iam::666666666666:role/Deploy":     {lifetime: 25 * 60},
	"arn:aws:iam::777777777777:role/Release":    {lifetime: 12 * 60},
}
