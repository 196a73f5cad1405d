# Step 2: the groups themselves, by identity, one import block for all.
import {
  for_each = local.groups
  to       = tencentim_group.adopted[each.key]
  identity = { group_id = each.key }
}

resource "tencentim_group" "adopted" {
  for_each = local.groups
  group_id = each.key
  type     = each.value.type
  name     = each.value.name
}
