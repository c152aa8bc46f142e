package org.jzeo.example.bank;

import jakarta.ejb.ApplicationException;

/** The source account's balance is lower than the amount. Nothing is written. */
@ApplicationException(rollback = true)
public class InsufficientFunds extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InsufficientFunds(String account, long balance, long amount) {
        super("account " + account + " holds " + balance + ", less than " + amount);
    }
}
