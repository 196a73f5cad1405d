resource "tencentim_group" "legacy" {
  group_id = "legacy-public"
  type     = "Public"
  name     = "Legacy group"
}

resource "tencentim_group_members" "legacy" {
  group_id = tencentim_group.legacy.id
  members = {
    user0001 = { role = "Admin", join_time = 1700000000 }
    user0002 = {}
  }
}
