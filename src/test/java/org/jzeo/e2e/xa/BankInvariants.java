package org.jzeo.e2e.xa;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What must hold after each round of the XA kill storm, once recovery is done: the money is all there and never
 * negative; every transfer Narayana committed is applied exactly once, every rolled-back one not at all, every
 * other one wholly or not at all; each account has one revision per transfer applied to it (a branch committed
 * twice would add one, even with the same data); nothing is left prepared; H2's ledger holds exactly the
 * transfers jzeo applied.
 */
final class BankInvariants {
    private final int initialBalance;
    private final String context;

    /** @param context round and seed, for every failure message */
    BankInvariants(int initialBalance, String context) {
        this.initialBalance = initialBalance;
        this.context = context;
    }

    void check(BankSnapshot bank, Map<Long, Transfer> reported, List<Transfer> ledger) {
        List<BankAccount> accounts = bank.accounts();
        assertThat(bank.prepared()).as("%s: branches left prepared after recovery", context).isEmpty();
        assertThat(accounts.stream().mapToInt(BankAccount::balance).sum()).as("%s: the sum of the balances %s",
                context, accounts).isEqualTo(initialBalance * accounts.size());
        assertThat(accounts).as("%s: no negative balance", context).allMatch(a -> a.balance() >= 0);

        Set<Long> applied = new HashSet<>();
        for (int i = 0; i < accounts.size(); i++) {
            BankAccount account = accounts.get(i);
            assertThat(account.applied()).as("%s: account %d applied a transfer twice", context, i)
                    .doesNotHaveDuplicates();
            assertThat(bank.revisions().get(i)).as("%s: revisions of account %d (its opening and one per transfer"
                    + " applied, %s)", context, i, account.applied()).isEqualTo(1 + account.applied().size());
            int expected = initialBalance;
            for (long id : account.applied()) {
                Transfer t = reported.get(id);
                assertThat(t).as("%s: account %d applied transfer %d, which no worker reported", context, i, id)
                        .isNotNull();
                assertThat(t.touches(i)).as("%s: account %d applied %s", context, i, t).isTrue();
                assertThat(t.rolledBack()).as("%s: account %d applied %s, which Narayana rolled back", context, i, t)
                        .isFalse();
                expected += t.to() == i ? t.amount() : -t.amount();
                applied.add(id);
            }
            assertThat(account.balance()).as("%s: balance of account %d against its applied transfers", context, i)
                    .isEqualTo(expected);
        }
        for (long id : applied) {
            Transfer t = reported.get(id);
            assertThat(accounts.get(t.from()).applied().contains(id) && accounts.get(t.to()).applied().contains(id))
                    .as("%s: %s applied to both of its accounts or to neither", context, t).isTrue();
        }
        for (Transfer t : reported.values()) {
            if (t.committed()) {
                assertThat(applied).as("%s: %s, committed by Narayana, is applied", context, t).contains(t.id());
            }
        }

        Map<Long, Transfer> rows = new HashMap<>();
        ledger.forEach(row -> rows.put(row.id(), row));
        assertThat(rows.keySet()).as("%s: the transfers in H2's ledger are those applied in jzeo", context)
                .isEqualTo(applied);
        for (Transfer row : ledger) {
            Transfer t = reported.get(row.id());
            assertThat(List.of(row.from(), row.to(), row.amount())).as("%s: H2's row %s against %s", context, row, t)
                    .isEqualTo(List.of(t.from(), t.to(), t.amount()));
        }
    }
}
