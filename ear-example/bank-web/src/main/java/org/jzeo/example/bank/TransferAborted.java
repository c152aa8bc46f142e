package org.jzeo.example.bank;

import jakarta.ejb.ApplicationException;

/**
 * Thrown on request after a transfer wrote both the accounts and the journal, to show that the container's rollback
 * undoes both.
 */
@ApplicationException(rollback = true)
public class TransferAborted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransferAborted(String message) {
        super(message);
    }
}
