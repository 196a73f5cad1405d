# Import every member of a group (except its owner) by group ID.
terraform import tencentim_group_members.engineering '@TGS#2J4SZEAEL'
