# Raising a user-defined exception without catching it.
class BudgetExceeded(Exception):
    pass
spent = 0
for cost in [10, 20, 30]:
    spent += cost
    print("spent", spent)
    if spent > 25:
        raise BudgetExceeded(f"spent {spent}, limit 25")
