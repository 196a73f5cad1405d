import {
  to       = tencentim_group_members.engineering
  identity = { group_id = "@TGS#2J4SZEAEL" }
}
