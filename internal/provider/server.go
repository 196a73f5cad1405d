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
// two servers, keeps one provider schema and one Configure. The list
// resources (list_resources.go) and the generated configuration
// (genconfig.go) are answered here too, for every resource type.
type server struct {
	tfprotov6.ProviderServer
	protocol map[string]protocolResource
	lists    map[string]protocolList
}

// protocolList is a list resource served on the protocol.
type protocolList interface {
	tfprotov6.ListResourceServer
	listSchema() *tfprotov6.Schema
}

// protocolResource is a resource served on the protocol.
type protocolResource interface {
	tfprotov6.ResourceServer
	schema() *tfprotov6.Schema
	// identitySchema is nil for a resource without identity.
	identitySchema() *tfprotov6.ResourceIdentitySchema
}

var (
	_ protocolResource             = (*groupMembersResource)(nil)
	_ protocolResource             = (*accountsResource)(nil)
	_ protocolList                 = (*groupList)(nil)
	_ tfprotov6.ListResourceServer = (*server)(nil) // tf6server serves the list RPCs only then
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
			lists: map[string]protocolList{
				groupTypeName:        newGroupList(p),
				groupMembersTypeName: newGroupMembersList(p),
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
		for name := range s.lists {
			resp.ListResources = append(resp.ListResources, tfprotov6.ListResourceMetadata{TypeName: name})
		}
		resp.ServerCapabilities = withGenerateConfig(resp.ServerCapabilities)
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
		if resp.ListResourceSchemas == nil {
			resp.ListResourceSchemas = map[string]*tfprotov6.Schema{}
		}
		for name, l := range s.lists {
			resp.ListResourceSchemas[name] = l.listSchema()
		}
		resp.ServerCapabilities = withGenerateConfig(resp.ServerCapabilities)
	}
	return resp, err
}

// withGenerateConfig advertises GenerateResourceConfig, which framework
// v1.19 does not pass on (ecosystem.md §2.2): without it Terraform ≥ 1.14
// derives configuration from the state itself, which for tencentim_group is
// invalid for Work and AVChatRoom groups (genconfig.go).
func withGenerateConfig(c *tfprotov6.ServerCapabilities) *tfprotov6.ServerCapabilities {
	if c == nil {
		c = &tfprotov6.ServerCapabilities{}
	}
	c.GenerateResourceConfig = true
	return c
}

// GetResourceIdentitySchemas adds the protocol resources' identities to the
// framework's, which knows only its own resources.
func (s *server) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	resp, err := s.ProviderServer.GetResourceIdentitySchemas(ctx, req)
	if resp != nil {
		if resp.IdentitySchemas == nil {
			resp.IdentitySchemas = map[string]*tfprotov6.ResourceIdentitySchema{}
		}
		for name, r := range s.protocol {
			if is := r.identitySchema(); is != nil {
				resp.IdentitySchemas[name] = is
			}
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
	if req.TypeName == groupTypeName {
		return generateGroupConfig(ctx, req), nil
	}
	return s.resource(req.TypeName).GenerateResourceConfig(ctx, req)
}

// list is the list resource for typeName. Every list resource is served
// here (the framework provider declares none), so an unknown name gets an
// error.
func (s *server) list(typeName string) tfprotov6.ListResourceServer {
	if l, ok := s.lists[typeName]; ok {
		return l
	}
	return noLists{}
}

func (s *server) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return s.list(req.TypeName).ValidateListResourceConfig(ctx, req)
}

func (s *server) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return s.list(req.TypeName).ListResource(ctx, req)
}

// noLists answers for a list resource type that does not exist.
type noLists struct{}

func (noLists) ValidateListResourceConfig(_ context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return &tfprotov6.ValidateListResourceConfigResponse{Diagnostics: unsupportedDiag("Unknown list resource", "The provider has no list resource "+req.TypeName+".")}, nil
}

func (noLists) ListResource(_ context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	d := unsupportedDiag("Unknown list resource", "The provider has no list resource "+req.TypeName+".")
	return &tfprotov6.ListResourceServerStream{Results: func(push func(tfprotov6.ListResourceResult) bool) {
		push(tfprotov6.ListResourceResult{Diagnostics: d})
	}}, nil
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
