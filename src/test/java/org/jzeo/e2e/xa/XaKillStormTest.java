package org.jzeo.e2e.xa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.xa.XaFixtures.TIMEOUT;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.jzeo.api.Oid;
import org.jzeo.api.StorageConnection;
import org.jzeo.client.ClientConnectionFactory;
import org.jzeo.e2e.ChildJvm;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, section 3: an XA kill storm. A bank of {@value #ACCOUNTS} accounts in jzeo; {@value #WORKERS} clients
 * of one Narayana (in a child JVM, {@link XaStormChild}) move money between two accounts, each transfer one XA
 * transaction over jzeo and an H2 ledger. In each of {@value #ROUNDS} rounds the server is killed with SIGKILL,
 * at an XA crash point's n-th passage (the prepared record forced but not answered; the commit in Data.fs but its
 * outcome not logged) or at a random moment (after a random number of the round's transfers committed), and
 * sometimes again in the XA log compaction of its restart; it is restarted on the same port, Narayana's recovery
 * completes the in-doubt branches, and {@link BankInvariants} checks the bank, exactly-once (transfer ids and
 * revision counts), that nothing is left prepared, and that H2 agrees. Everything random comes from one seed,
 * printed; {@code -Djzeo.storm.seed=} replays the rounds' kill plans (not the clients' interleaving). A failed run
 * keeps its folder (Data.fs, the XA log, Narayana's object store, {@code tm.stderr}).
 */
class XaKillStormTest {
    private static final int ACCOUNTS = 8;
    private static final int WORKERS = 4;
    private static final int ROUNDS = 10;
    private static final int INITIAL_BALANCE = 100;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void tenRoundsOfServerKillsKeepTheBankWholeAndEveryTransferExactlyOnce() throws Exception {
        long seed = Long.getLong("jzeo.storm.seed", System.nanoTime());
        System.out.println("XaKillStormTest: seed " + seed + " (replay the kill plans with -Djzeo.storm.seed="
                + seed + ")");
        Random random = new Random(seed);
        Path data = dir.resolve("Data.fs");
        String[] config = XaFixtures.serverConfig(dir).toArray(new String[0]);
        int port;
        List<Oid> accounts;
        try (ServerProcess setup = ServerProcess.start(data, 0, config)) {
            port = setup.address().getPort();
            accounts = openAccounts(setup.hostPort());
            setup.stop();
        }
        String hostPort = "127.0.0.1:" + port;
        Map<Long, Transfer> reported = new LinkedHashMap<>();
        long started = System.nanoTime();
        int inDoubtJzeo = 0;
        int inDoubtH2 = 0;
        try (ChildJvm tm = XaStormChild.start(dir, hostPort, WORKERS, accounts)) {
            for (int round = 1; round <= ROUNDS; round++) {
                boolean logHasRecords = reported.values().stream().anyMatch(Transfer::committed);
                KillPlan plan = KillPlan.draw(random, logHasRecords);
                long roundSeed = random.nextLong();
                long roundStarted = System.nanoTime();
                List<Transfer> transfers;
                try (ServerProcess armed = plan.crashPoint() == null ? ServerProcess.start(data, port, config)
                        : ServerProcess.startArmed(plan.crashPoint(), data, port, config)) {
                    tm.send("go " + round + " " + roundSeed);
                    if (plan.crashPoint() != null) {
                        armed.awaitCrashPoint(TIMEOUT);
                    } else {
                        for (int i = 0; i < plan.afterCommits(); i++) {
                            tm.awaitNext("committed ", TIMEOUT);
                        }
                    }
                    // Told before the kill, so that no transfer begins after it; those in flight end as they may.
                    tm.send("stop");
                    armed.kill9();
                }
                if (plan.startupKill() != null) {
                    try (ServerProcess compacting = ServerProcess.startArmed(plan.startupKill(), data, port, config)) {
                        compacting.awaitCrashPoint(TIMEOUT);
                        compacting.kill9();
                    }
                }
                try (ServerProcess server = ServerProcess.start(data, port, config)) {
                    transfers = parse(tm.awaitNext("stopped ", TIMEOUT));
                    transfers.forEach(t -> reported.put(t.id(), t));
                    tm.send("recover");
                    String inDoubt = tm.awaitNext("in-doubt ", TIMEOUT);
                    String scans = tm.awaitNext("recovered ", TIMEOUT);
                    List<Transfer> ledger = parse(tm.awaitNext("ledger ", TIMEOUT));
                    String context = "round " + round + " (seed " + seed + ", " + plan + ")";
                    new BankInvariants(INITIAL_BALANCE, context)
                            .check(BankSnapshot.read(server.hostPort(), accounts), reported, ledger);
                    String[] prepared = inDoubt.split(" ");
                    inDoubtJzeo += Integer.parseInt(prepared[0]);
                    inDoubtH2 += Integer.parseInt(prepared[1]);
                    System.out.printf("XaKillStormTest round %d, %s: %s; in doubt after the restart: %s in jzeo, %s"
                                    + " in H2; %s recovery scan(s); %d ms%n", round, plan, summary(transfers),
                            prepared[0], prepared[1], scans, (System.nanoTime() - roundStarted) / 1_000_000);
                    server.stop();
                }
            }
            tm.send("exit");
            tm.awaitNext("done", TIMEOUT);
            assertThat(tm.awaitExit(TIMEOUT)).isZero();
        }
        System.out.printf("XaKillStormTest: %d rounds, %s in all; %d jzeo and %d H2 branches in doubt after the"
                        + " restarts, completed by recovery; %d s%n", ROUNDS,
                summary(new ArrayList<>(reported.values())), inDoubtJzeo, inDoubtH2,
                (System.nanoTime() - started) / 1_000_000_000);
        assertThat(reported.values()).as("the storm committed transfers at all").anyMatch(Transfer::committed);
    }

    /** The bank's accounts, each with {@value #INITIAL_BALANCE}, in one transaction. */
    private static List<Oid> openAccounts(String hostPort) {
        try (ClientConnectionFactory factory = XaFixtures.factory(hostPort);
             StorageConnection c = factory.getConnection()) {
            c.begin();
            List<Oid> oids = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                Oid oid = c.newOid();
                c.write(oid, BankAccount.opened(INITIAL_BALANCE).encode(), List.of());
                oids.add(oid);
            }
            c.write(c.rootOid(), XaFixtures.text("bank"), oids);
            c.commit();
            return oids;
        }
    }

    private static List<Transfer> parse(String line) {
        return line.isEmpty() ? List.of() : Arrays.stream(line.split(" ")).map(Transfer::parse).toList();
    }

    /** E.g. "12 transfers: 7 committed, 4 rolled-back, 1 unknown-HeuristicMixedException". */
    private static String summary(List<Transfer> transfers) {
        Map<String, Long> byResult = transfers.stream()
                .collect(Collectors.groupingBy(Transfer::result, LinkedHashMap::new, Collectors.counting()));
        return transfers.size() + " transfers: " + byResult.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }
}
