import {
  to = tencentim_group_members.engineering
  id = "@TGS#2J4SZEAEL"
}
