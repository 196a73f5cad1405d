# Seeds group memberships from members.csv. `make demo` runs it against the
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
  rows   = csvdecode(file("${path.module}/members.csv"))
  groups = toset([for r in local.rows : r.group])

  # group => account => { role, join_time }
  members = {
    for g in local.groups : g => {
      for r in local.rows : r.account => {
        role      = r.role
        join_time = r.join_time == "" ? null : tonumber(r.join_time)
      } if r.group == g
    }
  }
}

resource "tencentim_group_members" "seed" {
  for_each = local.members

  group_id = each.key
  members  = each.value
  # The community group holds exactly what the CSV says.
  exclusive = each.key == "@TGS#_demo-community"
}

data "tencentim_group_members" "community" {
  group_id   = "@TGS#_demo-community"
  depends_on = [tencentim_group_members.seed]
}

output "community_admins" {
  value = sort([for account, m in data.tencentim_group_members.community.members : account if m.role == "Admin"])
}

output "member_counts" {
  value = { for g, r in tencentim_group_members.seed : g => length(r.members) }
}
