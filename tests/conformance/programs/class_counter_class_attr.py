# A class attribute used as a shared counter across instances.
class Ticket:
    issued = 0
    def __init__(self):
        Ticket.issued += 1
        self.number = Ticket.issued
tickets = [Ticket() for _ in range(4)]
print([t.number for t in tickets])
print(Ticket.issued, tickets[0].issued)
t = tickets[1]
t.issued = 100
print(Ticket.issued, t.issued, tickets[2].issued)
