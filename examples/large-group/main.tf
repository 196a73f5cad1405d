# One large group declared as ten additive resources, so that Terraform core
# never converts one huge map (its cost grows with the square of the map's
# size). members.csv lists the members; the same layout holds 100,000.
# The provider takes its settings from the TENCENTIM_* variables.
terraform {
  required_providers {
    tencentim = {
      source = "tencentim/tencentim"
    }
  }
}

locals {
  owner = "large-group-owner"
  rows  = csvdecode(file("${path.module}/members.csv"))

  # Bucket => rows. An account's bucket comes from a hash of its name, so it
  # never moves to another resource when rows are added or removed.
  buckets = { for r in local.rows : tostring(parseint(substr(sha1(r.account), 0, 6), 16) % 10) => r... }
}

resource "tencentim_accounts" "owner" {
  accounts = { (local.owner) = {} }
}

resource "tencentim_accounts" "members" {
  for_each = local.buckets
  accounts = { for r in each.value : r.account => {} }
}

resource "tencentim_group" "large" {
  group_id       = "@TGS#_large-group"
  type           = "Community"
  name           = "A large group"
  owner_account  = local.owner
  max_member_count = 100000
  depends_on     = [tencentim_accounts.owner]
}

# Each account is declared in exactly one of these resources, and none is
# exclusive: they share the group without removing each other's members.
resource "tencentim_group_members" "large" {
  for_each   = local.buckets
  group_id   = tencentim_group.large.id
  members    = { for r in each.value : r.account => { role = r.role } }
  depends_on = [tencentim_accounts.members]
}

output "member_count" {
  value = sum([for b in tencentim_group_members.large : length(b.members)])
}
