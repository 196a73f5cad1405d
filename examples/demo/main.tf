# Builds a demo app from nothing in one apply: the accounts, then the groups,
# then the memberships listed in members.csv. `make demo` runs it against the
# local emulator; the provider reads its settings from TENCENTIM_* variables.
terraform {
  required_providers {
    tencentim = {
      source = "tencentim/tencentim"
    }
  }
}

provider "tencentim" {}

locals {
  owner = "user1"

  # Group key => settings. group_id is optional (the server generates one);
  # create_time creates the group with import_group, back-dated so that
  # members can be imported with historical join times.
  groups = {
    work      = { group_id = "demo-work", type = "Work", name = "Demo Work group" }
    public    = { group_id = "demo-public", type = "Public", name = "Demo Public group", create_time = 1600000000 }
    meeting   = { type = "Meeting", name = "Demo Meeting group" }
    community = { group_id = "@TGS#_demo-community", type = "Community", name = "Demo Community group" }
    live      = { type = "AVChatRoom", name = "Demo AVChatRoom" }
  }

  rows = csvdecode(file("${path.module}/members.csv"))

  # group key => account => { role, join_time, name_card }. A member with
  # no name_card in the CSV keeps whatever card it has (null: not managed).
  members = {
    for g in distinct([for r in local.rows : r.group]) : g => {
      for r in local.rows : r.account => {
        role      = r.role
        join_time = r.join_time == "" ? null : tonumber(r.join_time)
        name_card = r.name_card == "" ? null : r.name_card
      } if r.group == g
    }
  }

  # Every account the groups name: the owner and each member.
  accounts = toset(concat([local.owner], [for r in local.rows : r.account]))
}

resource "tencentim_accounts" "demo" {
  accounts = { for a in local.accounts : a => { nick = "Demo ${a}" } }

  # A demo app is disposable: destroying this configuration deletes the
  # accounts too (paid plans need account deletion switched on in the
  # console). Keep the default (false) for accounts that real people use.
  delete_on_remove = true
}

resource "tencentim_group" "demo" {
  for_each = local.groups

  group_id      = try(each.value.group_id, null)
  type          = each.value.type
  name          = each.value.name
  owner_account = local.owner
  create_time   = try(each.value.create_time, null)
  introduction  = "Seeded by examples/demo."

  # The owner must exist before the group names it.
  depends_on = [tencentim_accounts.demo]
}

resource "tencentim_group_members" "seed" {
  for_each = local.members

  group_id = tencentim_group.demo[each.key].id
  members  = each.value
  # The community group holds exactly what the CSV says.
  exclusive = each.key == "community"

  # Members must exist before they can join.
  depends_on = [tencentim_accounts.demo]
}

data "tencentim_group_members" "community" {
  group_id   = tencentim_group.demo["community"].id
  depends_on = [tencentim_group_members.seed]
}

output "group_ids" {
  value = { for k, g in tencentim_group.demo : k => g.id }
}

output "community_admins" {
  value = sort([for account, m in data.tencentim_group_members.community.members : account if m.role == "Admin"])
}

output "member_counts" {
  value = { for g, r in tencentim_group_members.seed : g => length(r.members) }
}
