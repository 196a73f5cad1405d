# Additive (the default): these members are managed; anyone else in the group
# is left alone.
resource "tencentim_group_members" "engineering" {
  group_id = "@TGS#2J4SZEAEL"

  members = {
    tommy = { role = "Admin", join_time = 1448357837, unread_msg_num = 5 }
    jared = { join_time = 1448357857, unread_msg_num = 2 }
    alice = {} # role defaults to "Member"; join_time is read back from the server
  }
}

# Exclusive: the group holds exactly these members (plus its owner); anyone
# added outside Terraform is removed on the next apply.
resource "tencentim_group_members" "oncall" {
  group_id  = "@TGS#_oncall"
  exclusive = true

  members = {
    tommy = { role = "Admin" }
    alice = {}
  }

  timeouts = {
    create = "60m"
  }
}
