nums = [1, 2, 3]
alias = nums
alias.append(4)
print(nums, alias is nums)
copy = list(nums)
print(copy == nums, copy is nums, copy[0] is nums[0])
