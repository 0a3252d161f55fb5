package session

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

const defaultIMDSEndpoint = "http://169.254.169.254"

func (m *Manager) imdsEndpoint() string {
	if u := m.getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"); u != "" {
		return u
	}
	if strings.EqualFold(m.getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"), "IPv6") {
		return "http://[fd00:ec2::254]"
	}
	return defaultIMDSEndpoint
}

// imdsProvider serves credential_source = Ec2InstanceMetadata: IMDSv2,
// falling back to v1 when the token call is refused.
func (m *Manager) imdsProvider(t target) (aws.CredentialsProvider, error) {
	if strings.EqualFold(m.getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return nil, &Error{Kind: KindMetadata, Profile: t.profile,
			Msg: "profile " + t.profile + ": credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED=true.\nUnset it, or use another credential source."}
	}
	client := imds.New(imds.Options{
		Endpoint:       m.imdsEndpoint(),
		EnableFallback: aws.TrueTernary,
		HTTPClient:     m.httpClient(),
		Retryer:        newRetryer(),
	})
	return ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = lenientIMDS{client} }), nil
}

// lenientIMDS accepts a credentials document without "Code": botocore (and
// so the AWS CLI) does, and metadata emulators such as moto's leave it
// out, while ec2rolecreds insists on "Code": "Success".
type lenientIMDS struct{ *imds.Client }

// GetMetadata implements ec2rolecreds.GetMetadataAPIClient.
func (c lenientIMDS) GetMetadata(ctx context.Context, in *imds.GetMetadataInput, opts ...func(*imds.Options)) (*imds.GetMetadataOutput, error) {
	out, err := c.Client.GetMetadata(ctx, in, opts...)
	if err != nil || !strings.HasPrefix(in.Path, "/iam/security-credentials/") || len(in.Path) == len("/iam/security-credentials/") {
		return out, err
	}
	defer out.Content.Close()
	body, err := io.ReadAll(io.LimitReader(out.Content, 1<<20))
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) == nil && doc["Code"] == nil && doc["AccessKeyId"] != nil {
		doc["Code"] = "Success"
		body, _ = json.Marshal(doc)
	}
	out.Content = io.NopCloser(bytes.NewReader(body))
	return out, nil
}
