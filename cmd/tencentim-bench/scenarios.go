package main

import (
	"fmt"
	"slices"
	"strings"
)

// Kinds of configuration: one tencentim_group_members of N members, one
// tencentim_accounts of N accounts, or `chunks` tencentim_group_members of
// N/chunks members each on one group.
const (
	kindMembers  = "members"
	kindAccounts = "accounts"
	kindChunks   = "chunks"
)

// Targets: the terraform_data baselines and the provider's resources.
const (
	tgBaseline  = "terraform_data"
	tgTyped     = "terraform_data_typed"
	tgOffset    = "offset"
	tgCommunity = "community"
	tgResource  = "resource" // tencentim_accounts, or the chunked members resources
)

var (
	memberScenarios = []string{scCreate, scPlan, scChurn, scImport}
	allTargets      = []string{tgBaseline, tgTyped, tgOffset, tgCommunity, tgResource}
)

func isBaseline(target string) bool { return target == tgBaseline || target == tgTyped }

func groupType(target string) string {
	if target == tgCommunity {
		return "Community"
	}
	return "Public"
}

// membership is which members a group holds and its configuration
// declares: user[from, to), user[from, adminBelow) as Admin.
type membership struct{ from, to, adminBelow int }

func initialMembers(n int) membership { return membership{0, n, 0} }

// churnedMembers: the first k removed, the next k made Admin, k new ones.
func churnedMembers(n int) membership {
	k := churnSize(n)
	return membership{k, n + k, 2 * k}
}

// ranges lists [from, to) as range() calls of at most 1,000 values
// (range() makes at most 1,024), for flatten().
func ranges(from, to int) string {
	var rs []string
	for a := from; a < to; a += 1000 {
		rs = append(rs, fmt.Sprintf("range(%d, %d)", a, min(a+1000, to)))
	}
	return strings.Join(rs, ", ")
}

// memberObject is one member's value in every members configuration.
const memberObject = `{ role = i < %d ? "Admin" : "Member", join_time = null, unread_msg_num = null }`

func (m membership) expr() string {
	return fmt.Sprintf(`{ for i in flatten([%s]) : format("user%%06d", i) => `+memberObject+` }`, ranges(m.from, m.to), m.adminBelow)
}

// accountsExpr is n accounts, named per size so that each size's create
// starts from accounts the emulator does not have.
func accountsExpr(n int) string {
	return fmt.Sprintf(`{ for i in flatten([%s]) : format("u%d_%%06d", i) => { nick = null, face_url = null } }`, ranges(0, n), n)
}

// accountChunkExpr is chunk c's accounts of n in all, named as accountsExpr
// names them, in a for_each over { "0" = 0, ... }.
func accountChunkExpr(n, size int) string {
	return fmt.Sprintf(`{ for i in flatten([for j in range(%d) : range(each.value * %d + j * 1000, each.value * %d + min((j + 1) * 1000, %d))]) : format("u%d_%%06d", i) => { nick = null, face_url = null } }`,
		ceilDiv(size, 1000), size, size, size, n)
}

// chunkExpr is chunk c's members, user[c×size, (c+1)×size), in a for_each
// over { "0" = 0, ... }.
func chunkExpr(size int) string {
	return fmt.Sprintf(`{ for i in flatten([for j in range(%d) : range(each.value * %d + j * 1000, each.value * %d + min((j + 1) * 1000, %d))]) : format("user%%06d", i) => `+memberObject+` }`,
		ceilDiv(size, 1000), size, size, size, 0)
}

func forEachChunks(chunks int) string {
	return fmt.Sprintf("{ for c in range(%d) : tostring(c) => c }", chunks)
}

const providerBlock = `terraform {
  required_providers {
    tencentim = { source = "tencentim/tencentim" }
  }
}

provider "tencentim" {
  rate_limit            = %d
  max_parallel_requests = %d
}

`

// Typed modules: a variable of the resource attribute's type, so that
// Terraform converts the value as it converts the resource's configuration
// (bench/README.md, note 7).
const (
	typedMembersModule = `variable "members" {
  type = map(object({ role = string, join_time = number, unread_msg_num = number }))
}

resource "terraform_data" "g" {
  input = var.members
}
`
	typedAccountsModule = `variable "accounts" {
  type = map(object({ nick = optional(string), face_url = optional(string) }))
}

resource "terraform_data" "a" {
  input = var.accounts
}
`
)

// config is the root module of w and, for typed baselines, ./typed/main.tf.
func (w *work) config(rateLimit, parallel int) (root, module string) {
	prov := fmt.Sprintf(providerBlock, rateLimit, parallel)
	key := w.kind + "/" + w.target
	if w.kind == kindAccounts && w.chunks > 0 {
		key += "/chunks"
	}
	switch key {
	case kindMembers + "/" + tgBaseline:
		return fmt.Sprintf("resource \"terraform_data\" \"g\" {\n  input = %s\n}\n", w.members.expr()), ""
	case kindMembers + "/" + tgTyped:
		return fmt.Sprintf("module \"m\" {\n  source  = \"./typed\"\n  members = %s\n}\n", w.members.expr()), typedMembersModule
	case kindMembers + "/" + tgOffset, kindMembers + "/" + tgCommunity:
		return prov + fmt.Sprintf("resource \"tencentim_group_members\" \"g\" {\n  group_id = %q\n  members  = %s\n}\n", w.groupID, w.members.expr()), ""
	case kindAccounts + "/" + tgTyped + "/chunks":
		return fmt.Sprintf("module \"m\" {\n  for_each = %s\n  source   = \"./typed\"\n  accounts = %s\n}\n", forEachChunks(w.chunks), accountChunkExpr(w.n, w.n/w.chunks)), typedAccountsModule
	case kindAccounts + "/" + tgResource + "/chunks":
		return prov + fmt.Sprintf("resource \"tencentim_accounts\" \"a\" {\n  for_each = %s\n  accounts = %s\n}\n", forEachChunks(w.chunks), accountChunkExpr(w.n, w.n/w.chunks)), ""
	case kindAccounts + "/" + tgTyped:
		return fmt.Sprintf("module \"m\" {\n  source   = \"./typed\"\n  accounts = %s\n}\n", accountsExpr(w.n)), typedAccountsModule
	case kindAccounts + "/" + tgResource:
		return prov + fmt.Sprintf("resource \"tencentim_accounts\" \"a\" {\n  accounts = %s\n}\n", accountsExpr(w.n)), ""
	case kindChunks + "/" + tgTyped:
		return fmt.Sprintf("module \"m\" {\n  for_each = %s\n  source   = \"./typed\"\n  members  = %s\n}\n", forEachChunks(w.chunks), chunkExpr(w.n/w.chunks)), typedMembersModule
	case kindChunks + "/" + tgResource:
		return prov + fmt.Sprintf("resource \"tencentim_group_members\" \"c\" {\n  for_each  = %s\n  group_id  = %q\n  exclusive = false\n  members   = %s\n}\n",
			forEachChunks(w.chunks), w.groupID, chunkExpr(w.n/w.chunks)), ""
	}
	panic("no configuration for " + w.kind + "/" + w.target)
}

// targetsOf lists the targets each kind runs, baselines first.
func targetsOf(kind string) []string {
	if kind == kindMembers {
		return []string{tgBaseline, tgTyped, tgOffset, tgCommunity}
	}
	return []string{tgTyped, tgResource}
}

func order(list []string, s string) int { return slices.Index(list, s) }
