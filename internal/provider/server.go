package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// server serves the provider: the framework handles the provider block, the
// data source and tencentim_group, and the resources whose values are large
// maps are answered on the protocol itself (see DESIGN.md), sharing the
// framework provider's configured client. Routing here, rather than muxing
// two servers, keeps one provider schema and one Configure.
type server struct {
	tfprotov6.ProviderServer
	protocol map[string]protocolResource
}

// protocolResource is a resource served on the protocol.
type protocolResource interface {
	tfprotov6.ResourceServer
	schema() *tfprotov6.Schema
}

var (
	_ protocolResource = (*groupMembersResource)(nil)
	_ protocolResource = (*accountsResource)(nil)
)

// NewServer returns the provider server factory used by main and the tests.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &tencentimProvider{version: version}
		return &server{
			ProviderServer: providerserver.NewProtocol6(p)(),
			protocol: map[string]protocolResource{
				groupMembersTypeName: &groupMembersResource{unsupported{groupMembersTypeName, "Import it by group ID."}, p, time.Now},
				accountsTypeName:     &accountsResource{unsupported{accountsTypeName, "Import it by a list of UserIDs."}, p},
			},
		}, nil
	}
}

func (s *server) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp, err := s.ProviderServer.GetMetadata(ctx, req)
	if resp != nil {
		for name := range s.protocol {
			resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: name})
		}
	}
	return resp, err
}

func (s *server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp, err := s.ProviderServer.GetProviderSchema(ctx, req)
	if resp != nil {
		if resp.ResourceSchemas == nil {
			resp.ResourceSchemas = map[string]*tfprotov6.Schema{}
		}
		for name, r := range s.protocol {
			resp.ResourceSchemas[name] = r.schema()
		}
	}
	return resp, err
}

// resource is the protocol resource for typeName, or the framework.
func (s *server) resource(typeName string) tfprotov6.ResourceServer {
	if r, ok := s.protocol[typeName]; ok {
		return r
	}
	return s.ProviderServer
}

func (s *server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return s.resource(req.TypeName).ValidateResourceConfig(ctx, req)
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return s.resource(req.TypeName).UpgradeResourceState(ctx, req)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return s.resource(req.TypeName).ReadResource(ctx, req)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return s.resource(req.TypeName).PlanResourceChange(ctx, req)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return s.resource(req.TypeName).ApplyResourceChange(ctx, req)
}

func (s *server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return s.resource(req.TypeName).ImportResourceState(ctx, req)
}

func (s *server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return s.resource(req.TargetTypeName).MoveResourceState(ctx, req)
}

func (s *server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return s.resource(req.TypeName).UpgradeResourceIdentity(ctx, req)
}

func (s *server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return s.resource(req.TypeName).GenerateResourceConfig(ctx, req)
}

// dataOrError is the configured provider's data, or nil after reporting
// why there is none.
func (p *tencentimProvider) dataOrError(diags *diagnostics) *providerData {
	data := p.configured.Load()
	if data == nil {
		diags.errorAt(nil, "Provider not configured", notConfiguredDetail)
	}
	return data
}

// unsupported answers the RPCs a protocol resource does not take part in.
type unsupported struct {
	typeName, importHint string
}

func unsupportedDiag(summary, detail string) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary, Detail: detail}}
}

func (u unsupported) MoveResourceState(context.Context, *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return &tfprotov6.MoveResourceStateResponse{Diagnostics: unsupportedDiag("Moving state is not supported",
		u.typeName+" cannot take over the state of another resource type. "+u.importHint)}, nil
}

func (u unsupported) UpgradeResourceIdentity(context.Context, *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return &tfprotov6.UpgradeResourceIdentityResponse{Diagnostics: unsupportedDiag("Resource identity is not supported",
		u.typeName+" has no resource identity. "+u.importHint)}, nil
}

func (u unsupported) GenerateResourceConfig(context.Context, *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return &tfprotov6.GenerateResourceConfigResponse{Diagnostics: unsupportedDiag("Generating configuration is not supported",
		"Write the "+u.typeName+" block by hand; `terraform plan` after an import shows what it holds.")}, nil
}
