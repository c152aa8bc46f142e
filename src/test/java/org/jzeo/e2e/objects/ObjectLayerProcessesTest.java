package org.jzeo.e2e.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jzeo.e2e.ChildJvm;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object layer across processes: a {@code jzeo serve} process (FileStorage) and clients in child JVMs
 * ({@link ObjectChild}), each with its own object database and client cache. Objects one process commits are
 * seen by another, refreshed in place; concurrent increments and insertions into one B-tree bucket from two
 * processes merge; objects acknowledged as committed survive the server's SIGKILL.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ObjectLayerProcessesTest {
    @TempDir
    Path dir;
    private ServerProcess server;
    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"));
    }

    @AfterEach
    void stopAll() {
        children.forEach(ChildJvm::close);
        if (server != null) {
            server.close();
        }
    }

    private ChildJvm child(String name) throws Exception {
        ChildJvm child = ObjectChild.start(dir.resolve(name + "-stderr.log"), server.hostPort());
        children.add(child);
        return child;
    }

    /** Sends {@code command} and returns the rest of the reply line starting with {@code reply}. */
    static String ask(ChildJvm child, String command, String reply) throws Exception {
        child.send(command);
        return child.awaitNext(reply + " ", ObjectChild.WAIT);
    }

    /** "k=v k=v ..." as a map. */
    static Map<String, String> fields(String line) {
        Map<String, String> map = new TreeMap<>();
        for (String word : line.trim().split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                map.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return map;
    }

    @Test
    void aProcessSeesAnotherProcesssCommitInItsNextTransactionThroughTheSameInstances() throws Exception {
        ChildJvm a = child("a");
        ChildJvm b = child("b");
        ask(a, "store-shop", "stored");

        Map<String, String> before = fields(ask(b, "read-shop", "read"));
        assertThat(before).containsEntry("name", "Ann").containsEntry("credit", "0")
                .containsEntry("orders", "book:1250,pen:199").containsEntry("firstOrder", "book:1250")
                .containsEntry("accounts", "100").containsEntry("acct-042", "420")
                .containsEntry("acct-100", "false");

        String tid = ask(a, "change-shop", "changed");
        Map<String, String> after = fields(ask(b, "recheck-shop " + tid, "recheck"));
        // Values read from the instances b kept from its previous transaction: refreshed in place.
        assertThat(after).containsEntry("name", "Ann").containsEntry("credit", "10")
                .containsEntry("orders", "book:999,pen:199,ink:50").containsEntry("firstOrder", "book:999")
                .containsEntry("accounts", "101")
                .containsEntry("acct-042", "920").containsEntry("acct-100", "true");
        // And what b reads now is those same instances: one instance per oid across transactions.
        assertThat(after).containsEntry("sameAnn", "true").containsEntry("sameFirstOrder", "true")
                .containsEntry("sameAccounts", "true").containsEntry("sameAccount", "true");
    }

    @Test
    void incrementsAndInsertionsIntoOneBucketFromTwoProcessesMergeAndNoneIsLost() throws Exception {
        ChildJvm a = child("a");
        ChildJvm b = child("b");
        ask(a, "setup-contention", "setup");

        // Forced overlap: both processes hold a transaction that incremented the counter and inserted a key into
        // the map's only bucket; both commit, the second through conflict resolution (no retry: commit() directly).
        List<String> expected = new ArrayList<>(List.of("a", "z"));
        for (int round = 0; round < 3; round++) {
            ask(a, "hold m" + round + "-a", "holding");
            ask(b, "hold m" + round + "-b", "holding");
            ChildJvm first = round % 2 == 0 ? a : b;
            ChildJvm second = round % 2 == 0 ? b : a;
            assertThat(fields(ask(first, "commit-held", "committed-held"))).containsEntry("resolved", "0");
            long merged = Long.parseLong(fields(ask(second, "commit-held", "committed-held")).get("resolved"));
            assertThat(merged).as("round %d: the second commit merged the counter and the bucket", round)
                    .isGreaterThanOrEqualTo(2);
            expected.add("m" + round + "-a");
            expected.add("m" + round + "-b");
        }

        // Free-running: both processes commit concurrently, each key in the same bucket as the other's.
        int perProcess = 300;
        a.send("storm a " + perProcess);
        b.send("storm b " + perProcess);
        Map<String, String> stormA = fields(a.awaitNext("storm ", ObjectChild.WAIT.multipliedBy(3)));
        Map<String, String> stormB = fields(b.awaitNext("storm ", ObjectChild.WAIT.multipliedBy(3)));
        for (int i = 0; i < perProcess; i++) {
            expected.add(String.format("s%04d-a", i));
            expected.add(String.format("s%04d-b", i));
        }
        System.out.println("object storm: a " + stormA + ", b " + stormB);

        ChildJvm reader = child("reader");
        reader.send("read-contention");
        List<String> keys = List.of(reader.awaitNext("keys ", ObjectChild.WAIT).split(","));
        Map<String, String> totals = fields(reader.awaitNext("contention ", ObjectChild.WAIT));
        long transactions = 3 * 2 + 2L * perProcess;
        assertThat(totals).containsEntry("count", Long.toString(transactions))
                .containsEntry("size", Integer.toString(expected.size()));
        assertThat(keys).as("every key, in order, once").containsExactlyElementsOf(new java.util.TreeSet<>(expected));
        long resolved = Long.parseLong(stormA.get("resolved")) + Long.parseLong(stormB.get("resolved"));
        assertThat(resolved).as("concurrent commits were merged, not only serialized").isPositive();
    }

    @Test
    void objectsWhoseCommitWasAcknowledgedSurviveTheServersSigkill() throws Exception {
        ChildJvm writer = child("writer");
        ask(writer, "setup-kill", "setup");
        String acked = ask(writer, "commit-orders 25", "acked");
        server.kill9(); // right after the object layer's 25th commit returned
        server = server.restart(); // same Data.fs, same port: the writer's client reconnects

        List<String> items = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            items.add("o" + i);
        }
        String lastTid = acked.split(" ")[1];
        Map<String, String> fresh = fields(ask(child("fresh"), "read-kill", "kill"));
        assertThat(fresh).containsEntry("count", "25").containsEntry("orders", String.join(",", items))
                .containsEntry("last", lastTid);
        // The writer's own connection, whose server went away under it, reads the same after reconnecting.
        assertThat(fields(ask(writer, "read-kill", "kill"))).containsEntry("count", "25")
                .containsEntry("orders", String.join(",", items));
    }
}
