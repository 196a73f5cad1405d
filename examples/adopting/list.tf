# Step 1: list the groups to adopt.
data "tencentim_groups" "adopt" {
  with_info = true
}

locals {
  groups = { for g in data.tencentim_groups.adopt.groups : g.group_id => g }
  # The groups that keep a member list: every type but AVChatRoom.
  member_lists = { for id, g in local.groups : id => g if g.type != "AVChatRoom" }
}

# One import block per member list, for `tofu plan -generate-config-out`,
# which does not take import blocks with for_each.
output "member_imports" {
  value = join("", [for id in keys(local.member_lists) : <<-EOT
    import {
      to       = tencentim_group_members.g_${replace(id, "/[^A-Za-z0-9_]/", "_")}
      identity = { group_id = "${id}" }
    }
    EOT
  ])
}
