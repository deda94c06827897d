"""Partner: partners and their contracts; the gateway reads them to compute the plan."""
