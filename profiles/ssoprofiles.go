package profiles

// SSOAssignment is one role a user can reach through IAM Identity
// Center: the account and the role name the SSO portal lists.
type SSOAssignment struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	Email       string `json:"email,omitempty"`
	RoleName    string `json:"role_name"`
}
