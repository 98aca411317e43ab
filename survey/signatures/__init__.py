"""Electronic signatures: re-authentication, the signature record, its digest and its audit."""
