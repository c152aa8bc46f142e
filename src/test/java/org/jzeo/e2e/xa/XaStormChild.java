package org.jzeo.e2e.xa;

import com.arjuna.ats.jta.common.jtaPropertyManager;
import jakarta.transaction.TransactionManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.jzeo.e2e.ChildJvm;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.XAConnection;
import org.h2.jdbcx.JdbcDataSource;
import org.jzeo.api.Oid;
import org.jzeo.client.ClientConnectionFactory;

/**
 * The transaction manager side of {@link XaKillStormTest}, in its own JVM so that Narayana's configuration and
 * object store are its own: Narayana, several jzeo clients and H2. It obeys lines on stdin and answers on stdout:
 * <ul>
 *   <li>{@code go <round> <seed>}: the workers start transferring; each transfer is printed as
 *       {@code outcome <transfer>} ({@link Transfer#format()}) once Narayana has answered, and a committed one
 *       again as {@code committed <transfer>}.</li>
 *   <li>{@code stop}: the workers finish the transfer they are in and end; then {@code stopped <transfers>} with
 *       every transfer of the round, separated by spaces.</li>
 *   <li>{@code recover}: {@code in-doubt <jzeo> <h2>} (how many branches each has prepared), then Narayana's
 *       recovery until nothing is prepared in jzeo or H2 ({@code recovered <scans>}),
 *       then {@code ledger <transfers>}: every row of H2's ledger (result {@code ledger}).</li>
 *   <li>{@code exit}: ends with {@code done}.</li>
 * </ul>
 * Arguments: {@code objectStoreDir server(host:port) h2Url workers oidHex,oidHex,...}.
 */
public final class XaStormChild {
    /** Ids of a round's transfers: {@code round * ROUND_IDS + worker * WORKER_IDS + n}. */
    static final long ROUND_IDS = 1_000_000;
    private static final long WORKER_IDS = 100_000;

    private final TransactionManager tm;
    private final List<ClientConnectionFactory> clients = new ArrayList<>();
    private final List<XAConnection> ledgers = new ArrayList<>();
    private final List<Oid> accounts;
    private final JdbcDataSource h2;
    private final StormRecovery recovery;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<Transfer> round = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private XaStormChild(String server, JdbcDataSource h2, int workers, List<Oid> accounts) throws Exception {
        this.tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        this.h2 = h2;
        this.accounts = accounts;
        for (int w = 0; w < workers; w++) {
            clients.add(XaFixtures.factory(server));
            ledgers.add(h2.getXAConnection());
        }
        this.recovery = new StormRecovery(XaFixtures.factory(server), h2);
    }

    /** Starts the child for a storm in {@code dir} (its object store, H2's database, its stderr). */
    static ChildJvm start(Path dir, String server, int workers, List<Oid> accounts) throws IOException {
        String h2Url = "jdbc:h2:" + dir.resolve("ledger").toAbsolutePath();
        String oids = accounts.stream().map(Oid::toString).collect(Collectors.joining(","));
        return ChildJvm.start(XaStormChild.class, dir.resolve("tm.stderr"),
                List.of(dir.resolve("objects").toString(), server, h2Url, Integer.toString(workers), oids), "192m",
                line -> true, XaChild.FAILED);
    }

    public static void main(String[] args) {
        try {
            XaChild.configureNarayana(args[0]);
            var jta = jtaPropertyManager.getJTAEnvironmentBean();
            // A branch prepared in jzeo whose transaction Narayana rolled back (its prepare's answer was lost with
            // the server) is an orphan; recovery runs only while no transaction is in flight, so it may roll
            // orphans back at the second pass of a scan instead of after the default safety interval.
            jta.setOrphanSafetyInterval(1);
            // jzeo leaves a committed branch out of xa_recover: a commit Narayana still has to replay for a
            // branch the server committed before it died is complete, not lost.
            jta.setXaAssumeRecoveryComplete(true);
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(args[2]);
            try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS ledger (id BIGINT PRIMARY KEY, src INT, dst INT, amount INT)");
            }
            List<Oid> accounts = Arrays.stream(args[4].split(",")).map(Oid::fromHex).toList();
            new XaStormChild(args[1], h2, Integer.parseInt(args[3]), accounts).obey();
            XaChild.say("done", "");
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            XaChild.say(XaChild.FAILED.trim(), e.toString());
            System.exit(2);
        }
    }

    private void obey() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("exit"); line = in.readLine()) {
            String[] words = line.split(" ");
            switch (words[0]) {
                case "go" -> go(Integer.parseInt(words[1]), Long.parseLong(words[2]));
                case "stop" -> XaChild.say("stopped", stop());
                case "recover" -> {
                    XaChild.say("recovered", Integer.toString(recovery.recoverUntilDone()));
                    XaChild.say("ledger", ledger());
                }
                default -> throw new IllegalArgumentException("unknown command " + line);
            }
        }
        recovery.close();
        for (XAConnection sql : ledgers) {
            sql.close();
        }
        clients.forEach(ClientConnectionFactory::close);
    }

    private void go(int number, long seed) throws java.sql.SQLException {
        stopped.set(false);
        synchronized (round) {
            round.clear();
        }
        threads.clear();
        // The server was restarted for this round: a client still reconnecting fails its loads at once, and its
        // worker would spin through transfers that never reach the server.
        for (ClientConnectionFactory client : clients) {
            XaFixtures.until("a storm client reconnected", XaFixtures.TIMEOUT, client.storage()::isConnected);
        }
        for (int w = 0; w < clients.size(); w++) {
            TransferWorker worker = new TransferWorker(tm, clients.get(w), ledgers.get(w), accounts, seed * 31 + w,
                    number * ROUND_IDS + w * WORKER_IDS, stopped::get, this::reported);
            Thread thread = new Thread(worker, "storm-worker-" + w);
            threads.add(thread);
            thread.start();
        }
    }

    private void reported(Transfer transfer) {
        synchronized (round) {
            round.add(transfer);
        }
        XaChild.say("outcome", transfer.format());
        if (transfer.committed()) {
            // What a kill "at a random moment" waits for: transfers that went all the way through both phases.
            XaChild.say("committed", transfer.format());
        }
    }

    private String stop() throws InterruptedException {
        stopped.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        StringJoiner all = new StringJoiner(" ");
        synchronized (round) {
            round.forEach(t -> all.add(t.format()));
        }
        return all.toString();
    }

    private String ledger() throws Exception {
        StringJoiner rows = new StringJoiner(" ");
        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, src, dst, amount FROM ledger ORDER BY id")) {
            while (r.next()) {
                rows.add(new Transfer(r.getLong(1), r.getInt(2), r.getInt(3), r.getInt(4), "ledger").format());
            }
        }
        return rows.toString();
    }
}
