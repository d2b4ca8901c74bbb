
ByJŒlnpK…:"ev@…]o{qd…xœ