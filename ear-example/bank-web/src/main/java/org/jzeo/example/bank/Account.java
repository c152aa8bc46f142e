package org.jzeo.example.bank;

import org.jzeo.objects.Persistent;

/**
 * A bank account, a persistent object of its own in jzeo: the accounts map holds a reference to it, and a change
 * of its balance rewrites only this object. Balances are whole units (the journal's {@code BIGINT} deltas).
 *
 * <p>Public, with public readers, so that a Java SE client (the integration tests) can read the accounts with the
 * application's own classes.
 */
public class Account extends Persistent {
    private String name;
    private long balance;

    /** For the object layer, which fills the fields from the stored record. */
    private Account() {
    }

    Account(String name, long balance) {
        this.name = name;
        this.balance = balance;
    }

    public String name() {
        return name;
    }

    public long balance() {
        return balance;
    }

    /** Adds {@code delta} (negative: takes it away); stored when the container commits the transaction. */
    void add(long delta) {
        balance += delta;
    }
}
