"""Statistical disclosure control: the rules every published figure obeys, checked at write and at read."""
