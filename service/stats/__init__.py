"""The dashboard's figures: rollups kept current in the same transaction as the letters and
provider events they count (counting), and what the control room and the public counters
read from them (figures, health, deadline)."""
