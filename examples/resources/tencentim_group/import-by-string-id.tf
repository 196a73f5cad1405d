import {
  to = tencentim_group.engineering
  id = "@TGS#2J4SZEAEL"
}
