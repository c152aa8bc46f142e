package org.jzeo.e2e.xa;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An account of the XA kill storm's bank as one jzeo object: its balance and the ids of every transfer applied to
 * it, in order. The ids make exactly-once checkable from the state alone: a transfer applied twice shows its id
 * twice, a lost one is missing.
 *
 * @param balance  never negative: a transfer never takes more than the balance it read
 * @param applied  the ids of the transfers applied to this account, oldest first
 */
record BankAccount(int balance, List<Long> applied) {
    BankAccount {
        applied = List.copyOf(applied);
    }

    static BankAccount opened(int balance) {
        return new BankAccount(balance, List.of());
    }

    BankAccount withdraw(int amount, long transfer) {
        return new BankAccount(balance - amount, appended(transfer));
    }

    BankAccount deposit(int amount, long transfer) {
        return new BankAccount(balance + amount, appended(transfer));
    }

    private List<Long> appended(long transfer) {
        List<Long> ids = new ArrayList<>(applied);
        ids.add(transfer);
        return ids;
    }

    /** {@code balance=<n>;applied=<id>,<id>,...}: readable in a failure message. */
    byte[] encode() {
        StringBuilder s = new StringBuilder("balance=").append(balance).append(";applied=");
        for (int i = 0; i < applied.size(); i++) {
            s.append(i == 0 ? "" : ",").append(applied.get(i));
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    static BankAccount decode(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        String[] parts = text.split(";applied=", 2);
        if (parts.length != 2 || !parts[0].startsWith("balance=")) {
            throw new IllegalArgumentException("not an account: " + text);
        }
        int balance = Integer.parseInt(parts[0].substring("balance=".length()));
        List<Long> ids = parts[1].isEmpty() ? List.of()
                : Arrays.stream(parts[1].split(",")).map(Long::valueOf).toList();
        return new BankAccount(balance, ids);
    }
}
