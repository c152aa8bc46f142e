package org.jzeo.server.storage.pg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.storage.TestRecords;
import org.jzeo.storage.CommitListener;
import org.jzeo.storage.StorageTransaction;

/** Opening PostgresStorages over a test database, and a listener that records what it hears. */
final class PgTestStorages {
    private PgTestStorages() {
    }

    static PostgresOptions options(PostgresTestServer pg, String database, Duration lockWait, Duration pollInterval) {
        Properties props = new Properties();
        props.setProperty("user", PostgresTestServer.USER);
        return PostgresOptions.of(pg.jdbcUrl(database), props).withLockWait(lockWait).withPollInterval(pollInterval)
                .withPoolSize(4);
    }

    static PostgresStorage open(PostgresTestServer pg, String database, Duration lockWait, Duration pollInterval) {
        return PostgresStorage.open(options(pg, database, lockWait, pollInterval), TestRecords.finder());
    }

    /** One commit as a listener heard it. */
    record Heard(StorageTransaction txn, Tid tid, List<Oid> oids) {
    }

    /** Records every commit it is told of, in the order it is told. */
    static final class Recorder implements CommitListener {
        final List<Heard> heard = new CopyOnWriteArrayList<>();

        @Override
        public void committed(StorageTransaction transaction, Tid tid, List<Oid> oids) {
            heard.add(new Heard(transaction, tid, oids));
        }

        List<Tid> tids() {
            List<Tid> tids = new ArrayList<>();
            heard.forEach(h -> tids.add(h.tid()));
            return tids;
        }

        boolean heardTid(Tid tid) {
            return heard.stream().anyMatch(h -> h.tid().equals(tid));
        }

        Heard find(Tid tid) {
            return heard.stream().filter(h -> h.tid().equals(tid)).findFirst().orElse(null);
        }
    }
}
