package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jzeo pack, up and status against an in-process server. */
class AdminCommandsTest {
    private static final Oid CHILD = Oid.of(1);

    @TempDir
    Path dir;
    private RunningServer server;
    private String address;

    @BeforeEach
    void start() throws InterruptedException {
        server = TestServers.start(dir.resolve("Data.fs"));
        address = "127.0.0.1:" + TestServers.address(server).getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ---- pack ----------------------------------------------------------------------------------------------

    @Test
    void packRemovesOldRevisionsAndShrinksTheFile() throws Exception {
        Tid firstChild;
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.register("1", false);
            c.commit(1, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(CHILD), new byte[0])), Map.of());
            firstChild = c.commit(2, Map.of(CHILD, JzeoRecord.encode(List.of(), new byte[1000])), Map.of());
            Tid last = firstChild;
            for (int i = 0; i < 5; i++) {
                last = c.commit(3 + i, Map.of(CHILD, JzeoRecord.encode(List.of(), new byte[1000])),
                        Map.of(CHILD, last));
            }
        }
        long sizeBefore = Files.size(dir.resolve("Data.fs"));

        Cli.Result r = Cli.run("pack", address);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("jzeo pack: packed storage '1' on " + address + " as of ");
        assertThat(Files.size(dir.resolve("Data.fs"))).isLessThan(sizeBefore - 4000);
        assertThatThrownBy(() -> server.storages().storage("1").storage().loadSerial(CHILD, firstChild))
                .isInstanceOf(POSKeyException.class);
        assertThat(server.storages().storage("1").storage().loadBefore(CHILD, Tid.MAX)).isNotNull();
    }

    @Test
    void packWithDaysKeepsRecentHistory() throws Exception {
        Tid first;
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.register("1", false);
            first = c.commit(1, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(), new byte[] {1})), Map.of());
            c.commit(2, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(), new byte[] {2})), Map.of(Oid.ROOT, first));
        }

        Cli.Result r = Cli.run("pack", "-d", "1", "--no-wait", address + ":1");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("jzeo pack: started packing storage '1' on " + address);
        assertThat(server.storages().storage("1").storage().loadSerial(Oid.ROOT, first)).isNotNull();
    }

    @Test
    void packReportsEachFailureAndExitsOne() throws Exception {
        int closed = Cli.closedPort();

        Cli.Result r = Cli.run("pack", "--timeout", "5", "127.0.0.1:" + closed, address + ":nope");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("jzeo pack: storage '1' on 127.0.0.1:" + closed + ": cannot connect")
                .contains("jzeo pack: storage 'nope' on " + address + ": the server refused: unknown storage: nope");
    }

    /** Not run against the address: something else may listen on 8100 here. */
    @Test
    void packWithoutAServerTargetsTheDefaultAddressAsUpAndStatusDo() {
        PackCommand pack = new PackCommand();
        new picocli.CommandLine(pack).parseArgs();
        assertThat(pack.targets()).extracting(ServerSpec::describe).containsExactly("storage '1' on 127.0.0.1:8100");
        PackCommand other = new PackCommand();
        new picocli.CommandLine(other).parseArgs("-S", "main");
        assertThat(other.targets()).extracting(ServerSpec::describe)
                .containsExactly("storage 'main' on 127.0.0.1:8100");
    }

    @Test
    void packWithABadTimeIsAUsageError() {
        Cli.Result badTime = Cli.run("pack", "-t", "yesterday", address);
        assertThat(badTime.exitCode()).isEqualTo(2);
        assertThat(badTime.err()).contains("--time 'yesterday' is not HH[:MM[:SS]]");
    }

    // ---- up ------------------------------------------------------------------------------------------------

    @Test
    void upCommitsACheckAndExitsZeroAndPackCollectsIt() throws Exception {
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.register("1", false);
            c.commit(1, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(), new byte[] {1})), Map.of());
        }
        Tid before = server.storages().storage("1").storage().lastTransaction();

        Cli.Result r = Cli.run("up", address);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Elapsed time: ").contains("jzeo up: OK: storage '1' on " + address)
                .contains("committed object");
        assertThat(server.storages().storage("1").storage().lastTransaction()).isGreaterThan(before);
        assertThat(server.storages().storage("1").stats().commits()).isEqualTo(2);
        assertThat(server.storages().storage("1").storage().length()).isEqualTo(2);

        assertThat(Cli.run("pack", address).exitCode()).isZero();
        assertThat(server.storages().storage("1").storage().length()).isEqualTo(1);
    }

    @Test
    void upOnADatabaseWithoutRootVotesAndAbortsSoThatPackStillWorks() {
        Cli.Result r = Cli.run("up", address);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("the database is empty (no root object yet); voted a check transaction and"
                + " aborted it");
        assertThat(server.storages().storage("1").stats().commits()).isZero();
        assertThat(server.storages().storage("1").stats().aborts()).isEqualTo(1);
        assertThat(server.storages().storage("1").storage().length()).isZero();
        assertThat(Cli.run("pack", address).exitCode()).isZero();
    }

    @Test
    void upNowriteOnlyReads() {
        Cli.Result r = Cli.run("up", "--nowrite", address);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("the database is empty (no root object yet)");
        assertThat(server.storages().storage("1").stats().commits()).isZero();
        assertThat(server.storages().storage("1").stats().loads()).isEqualTo(1);
    }

    @Test
    void upAgainstAClosedPortExitsOne() throws Exception {
        int closed = Cli.closedPort();

        Cli.Result r = Cli.run("up", "--timeout", "5", "127.0.0.1:" + closed);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("jzeo up: NOT OK: storage '1' on 127.0.0.1:" + closed + ": cannot connect");
    }

    @Test
    void upWritingToAReadOnlyServerExitsOneButNowriteIsFine() throws Exception {
        try (RunningServer readOnly = TestServers.start(dir.resolve("Ro.fs"), z -> z.withReadOnly(true))) {
            String ro = "127.0.0.1:" + TestServers.address(readOnly).getPort();

            Cli.Result write = Cli.run("up", ro);
            Cli.Result read = Cli.run("up", "--nowrite", ro);

            assertThat(write.exitCode()).isEqualTo(1);
            assertThat(write.err()).contains("the server or storage is read-only");
            assertThat(read.exitCode()).as(read.err()).isZero();
        }
    }

    // ---- status --------------------------------------------------------------------------------------------

    @Test
    void statusPrintsEveryStoragesCountersAsATable() {
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.register("1", false);
            c.commit(1, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(), new byte[] {1})), Map.of());
            c.loadBefore(Oid.ROOT, Tid.MAX);
            c.loadBefore(Oid.ROOT, Tid.MAX);
            String lastTid = server.storages().storage("1").storage().lastTransaction().toString();

            Cli.Result r = Cli.run("status", address);

            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines.get(0)).matches("storage +1");
            assertThat(lines).contains(row("connections", "1"), row("loads", "2"), row("stores", "1"),
                    row("commits", "1"), row("aborts", "0"), row("lock_time", "-"), row("conflicts", "0"),
                    row("timeout-thread-is-alive", "no (no transaction-timeout)"), row("last-transaction", lastTid));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void statusOfOneStorageRegistersAndCallsServerStatus() {
        Cli.Result r = Cli.run("status", "-S", "1", address);

        assertThat(r.exitCode()).as(r.err()).isZero();
        // Our own read-only registration is one of the connections.
        assertThat(r.out().lines().toList()).contains(row("connections", "1"), row("commits", "0"));
        assertThat(Cli.run("status", address + ":nope").err()).contains("unknown storage: nope");
    }

    @Test
    void aMissingUnixSocketIsACannotConnect() {
        Cli.Result r = Cli.run("status", "-u", dir.resolve("missing.sock") + ":1");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jzeo status: storage '1' on " + dir.resolve("missing.sock")
                + ": cannot connect (");
    }

    @Test
    void statusAgainstAClosedPortExitsOne() throws Exception {
        Cli.Result r = Cli.run("status", "127.0.0.1:" + Cli.closedPort());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot connect");
    }

    /** A table row: the key padded to the key column's width, then the value. */
    private static String row(String key, String value) {
        return String.format("%-23s  %s", key, value);
    }
}
