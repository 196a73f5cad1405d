package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// server serves the provider: the framework handles the provider block and
// the data source, and tencentim_group_members is answered by
// groupMembersResource on the protocol itself, sharing the framework
// provider's configured client. Routing here, rather than muxing two
// servers, keeps one provider schema and one Configure.
type server struct {
	tfprotov6.ProviderServer
	members *groupMembersResource
}

// NewServer returns the provider server factory used by main and the tests.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &tencentimProvider{version: version}
		return &server{
			ProviderServer: providerserver.NewProtocol6(p)(),
			members:        &groupMembersResource{provider: p, now: time.Now},
		}, nil
	}
}

func (s *server) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp, err := s.ProviderServer.GetMetadata(ctx, req)
	if resp != nil {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: groupMembersTypeName})
	}
	return resp, err
}

func (s *server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp, err := s.ProviderServer.GetProviderSchema(ctx, req)
	if resp != nil {
		if resp.ResourceSchemas == nil {
			resp.ResourceSchemas = map[string]*tfprotov6.Schema{}
		}
		resp.ResourceSchemas[groupMembersTypeName] = groupMembersSchema()
	}
	return resp, err
}

func (s *server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.ValidateResourceConfig(ctx, req)
	}
	return s.ProviderServer.ValidateResourceConfig(ctx, req)
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.UpgradeResourceState(ctx, req)
	}
	return s.ProviderServer.UpgradeResourceState(ctx, req)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.ReadResource(ctx, req)
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.PlanResourceChange(ctx, req)
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.ApplyResourceChange(ctx, req)
	}
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}

func (s *server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.ImportResourceState(ctx, req)
	}
	return s.ProviderServer.ImportResourceState(ctx, req)
}

func (s *server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	if req.TargetTypeName == groupMembersTypeName {
		return s.members.MoveResourceState(ctx, req)
	}
	return s.ProviderServer.MoveResourceState(ctx, req)
}

func (s *server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.UpgradeResourceIdentity(ctx, req)
	}
	return s.ProviderServer.UpgradeResourceIdentity(ctx, req)
}

func (s *server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	if req.TypeName == groupMembersTypeName {
		return s.members.GenerateResourceConfig(ctx, req)
	}
	return s.ProviderServer.GenerateResourceConfig(ctx, req)
}
