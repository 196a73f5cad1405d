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
    # A declared name card is managed (restored on drift; "" clears it). Only
    # the custom_data keys named are managed; they must be custom member
    # fields configured for the app in the IM console.
    tommy = { role = "Admin", name_card = "On-call lead", custom_data = { dept = "sre" } }
    alice = {} # alice's name card and custom fields are left alone
  }

  timeouts = {
    create = "60m"
  }
}
