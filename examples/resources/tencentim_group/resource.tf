# A Public group with a server-generated ID, owned by tommy.
resource "tencentim_group" "engineering" {
  type              = "Public"
  name              = "Engineering"
  owner_account     = "tommy"
  introduction      = "Where the engineers talk."
  notification      = "Stand-up at 10:00 every weekday."
  max_member_count  = 500
  apply_join_option = "NeedPermission"

  depends_on = [tencentim_accounts.staff]
}

# A Community group with a custom ID, back-dated with import_group so that
# members can keep their original join times.
resource "tencentim_group" "oncall" {
  group_id      = "@TGS#_oncall"
  type          = "Community"
  name          = "On-call"
  owner_account = "tommy"
  create_time   = 1600000000

  depends_on = [tencentim_accounts.staff]
}

# The group's id is the group_id of its members.
resource "tencentim_group_members" "oncall" {
  group_id = tencentim_group.oncall.id

  members = {
    jared = { role = "Admin", join_time = 1600000600 }
    alice = {}
  }

  depends_on = [tencentim_accounts.staff]
}
