// Command terraform-provider-tencentim is the Terraform and OpenTofu provider
// for Tencent Cloud Chat (IM) groups.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/tencentim/terraform-provider-tencentim/internal/provider"
)

// version is set by goreleaser through -ldflags.
var version = "dev"

// registryAddress is the provider's address in the registry; dev_overrides
// in a CLI config use it too.
const registryAddress = "registry.terraform.io/tencentim/tencentim"

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if *debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	factory := provider.NewServer(version)
	err := tf6server.Serve(registryAddress, func() tfprotov6.ProviderServer {
		s, err := factory()
		if err != nil {
			log.Fatal(err)
		}
		return s
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
}
