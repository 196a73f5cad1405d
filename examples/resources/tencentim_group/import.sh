# Import a group by its ID.
terraform import tencentim_group.engineering '@TGS#2J4SZEAEL'
