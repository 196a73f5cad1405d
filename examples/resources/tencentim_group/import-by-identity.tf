import {
  to       = tencentim_group.engineering
  identity = { group_id = "@TGS#2J4SZEAEL" }
}
