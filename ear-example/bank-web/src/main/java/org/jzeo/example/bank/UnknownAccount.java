package org.jzeo.example.bank;

import jakarta.ejb.ApplicationException;

/** No account has that name. */
@ApplicationException(rollback = true)
public class UnknownAccount extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnknownAccount(String name) {
        super("no account named " + name);
    }
}
