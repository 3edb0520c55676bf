"""公文: registration, approval chains as versioned data, issuing with a number and an SM2 seal."""
