package org.jzeo.e2e.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jzeo.e2e.objects.ObjectLayerProcessesTest.ask;
import static org.jzeo.e2e.objects.ObjectLayerProcessesTest.fields;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jzeo.api.Tid;
import org.jzeo.e2e.ChildJvm;
import org.jzeo.server.cli.JzeoCommand;
import org.jzeo.server.process.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pack with garbage collection, run as an operator does ({@code jzeo pack} against a {@code jzeo serve} process),
 * keeps every object the object layer can reach from the root, through plain fields, {@link org.jzeo.objects.Lazy}
 * fields, containers and B-tree buckets, and removes the objects it no longer can. Checked by client processes
 * with cold caches: one before the pack (everything is there), one after.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PackReachabilityTest {
    @TempDir
    Path dir;
    private ServerProcess server;
    private final List<ChildJvm> children = new ArrayList<>();

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

    private static int count(String oids) {
        return oids.isEmpty() ? 0 : oids.split(",").length;
    }

    @Test
    void packKeepsEveryReachableObjectAndRemovesTheUnreachableOnes() throws Exception {
        server = ServerProcess.start(dir.resolve("Data.fs"));
        ChildJvm writer = child("writer");
        String graph = ask(writer, "store-graph", "graph");
        Tid last = Tid.fromHex(graph.split(" ")[0]);
        Map<String, String> oids = fields(graph);
        String reachable = oids.get("reachable");
        String gone = oids.get("gone");
        // root, Ann, 2 orders, a note, Bob, his order, the list and 4 notes, the map and 1 order, the tree and 190
        // accounts; 1 order, Dave, a note, an order, 10 accounts, Carl and his order, the old tree and 100 accounts.
        assertThat(count(reachable)).isEqualTo(1 + 1 + 2 + 1 + 1 + 1 + 5 + 2 + 1 + 190);
        assertThat(count(gone)).isEqualTo(1 + 1 + 1 + 1 + 10 + 2 + 1 + 100);
        ChildJvm before = child("before");
        assertThat(ask(before, "load " + gone, "load")).as("before the pack the unreachable objects are there")
                .isEqualTo("ok=" + count(gone) + " missing=");
        String walkedBefore = ask(before, "walk-graph", "walk");

        pack(last);

        ChildJvm after = child("after"); // a new process: nothing cached
        assertThat(ask(after, "load " + reachable, "load")).isEqualTo("ok=" + count(reachable) + " missing=");
        assertThat(ask(after, "load " + gone, "load")).as("each unreachable object is gone: POSKeyException")
                .isEqualTo("ok=0 missing=" + gone);
        String walked = ask(after, "walk-graph", "walk");
        assertThat(walked).isEqualTo(walkedBefore);
        long balances = 0;
        for (int i = 0; i < 200; i++) {
            balances += i < 150 || i >= 160 ? i : 0;
        }
        assertThat(fields(walked)).containsEntry("root", "[accounts,ann,byId,notes]")
                .containsEntry("ann", "Ann").containsEntry("orders", "[book:1250,pen:199]")
                .containsEntry("note", "ann's_note").containsEntry("bob", "Bob")
                .containsEntry("bobOrders", "[lamp:4000]").containsEntry("bobReferrer", "null")
                .containsEntry("notes", "note_1,note_2,note_3,note_4").containsEntry("byId", "{o1=chair:300}")
                .containsEntry("accounts", "190").containsEntry("size", "190")
                .containsEntry("balances", Long.toString(balances)).containsEntry("ordered", "true");
    }

    /** {@code jzeo pack -t <a second after last> HOST:PORT} in its own JVM, as an operator runs it. */
    private void pack(Tid last) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String time = String.format(Locale.ROOT, "%.3f", last.toEpochSeconds() + 1);
        Path output = dir.resolve("pack.log");
        Process pack = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), JzeoCommand.class.getName(), "pack", "-t", time,
                server.hostPort()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            assertThat(pack.waitFor(120, TimeUnit.SECONDS)).as("jzeo pack finished").isTrue();
        } finally {
            pack.toHandle().destroyForcibly();
        }
        String printed = Files.readString(output);
        System.out.println("jzeo pack: " + printed);
        assertThat(pack.exitValue()).as(printed).isZero();
        assertThat(printed).contains("jzeo pack: packed");
        assertThat(server.awaitLogLine(l -> l.contains("pack of storage '1'") && l.contains("finished"),
                ServerProcess.EXIT_TIMEOUT)).as("the server logged the end of the pack").isTrue();
    }
}
