package org.jzeo.e2e.xa;

import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.Xid;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;

/**
 * The XA kill storm's bank as a new client sees it: every account, how many revisions each has in the server's
 * history, and the branches still prepared.
 */
record BankSnapshot(List<BankAccount> accounts, List<Integer> revisions, List<Xid> prepared) {
    /** Far more than the storm writes to one account: the whole history is counted. */
    private static final int HISTORY_LIMIT = 100_000;

    /** Read by a new client (no cache shared with the storm's clients). */
    static BankSnapshot read(String hostPort, List<Oid> oids) {
        try (ClientConnectionFactory fresh = XaFixtures.factory(hostPort);
             StorageConnection c = fresh.getConnection()) {
            List<BankAccount> accounts = new ArrayList<>();
            List<Integer> revisions = new ArrayList<>();
            for (Oid oid : oids) {
                accounts.add(BankAccount.decode(c.read(oid).payload()));
                revisions.add(c.history(oid, HISTORY_LIMIT).size());
            }
            return new BankSnapshot(accounts, revisions, fresh.storage().recoverPrepared());
        }
    }
}
