"""Hit rates from recorded outcomes: what each signal, lane, holder and registration is worth."""
