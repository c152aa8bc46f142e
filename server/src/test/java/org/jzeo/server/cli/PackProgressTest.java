package org.jzeo.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.jzeo.server.RunningServer;
import org.jzeo.server.TestServers;
import org.jzeo.server.storage.PackProgressSource;
import org.jzeo.server.storage.ReferenceFinder;
import org.jzeo.server.testclient.ZeoTestClient;
import org.jzeo.storage.record.JzeoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of a pack that takes a while. The server's garbage collection is held on the root's
 * references (through its reference finder) until the test has seen what it looks for, so a progress line is
 * certain to appear however fast or slow the machine is.
 */
class PackProgressTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** While the pack is held: the root (1 of the 2 objects current at the pack time) is being followed. */
    private static final String HELD = "finding reachable objects: 1 of 2 objects (50%)";

    @TempDir
    Path dir;
    private final CountDownLatch packInGc = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holdPack;
    private RunningServer server;
    private String address;
    private Path data;

    @BeforeEach
    void start() throws Exception {
        ReferenceFinder holding = (oid, record) -> {
            if (holdPack) {
                packInGc.countDown();
                try {
                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return JzeoRecord.decode(record).references();
        };
        data = dir.resolve("Data.fs");
        server = RunningServer.start(TestServers.config(data, z -> z), holding);
        address = "127.0.0.1:" + TestServers.address(server).getPort();
        Oid child = Oid.of(1);
        try (ZeoTestClient c = ZeoTestClient.connect(TestServers.address(server))) {
            c.register("1", false);
            c.commit(1, Map.of(Oid.ROOT, JzeoRecord.encode(List.of(child), new byte[0])), Map.of());
            Tid last = c.commit(2, Map.of(child, JzeoRecord.encode(List.of(), new byte[1000])), Map.of());
            for (int i = 0; i < 3; i++) {
                last = c.commit(3 + i, Map.of(child, JzeoRecord.encode(List.of(), new byte[1000])),
                        Map.of(child, last));
            }
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    @Test
    void packPrintsProgressLinesWhileThePackRunsThenTheTimeTakenAndTheSizesBeforeAndAfter() throws Exception {
        long sizeBefore = Files.size(data);
        StringWriter out = new StringWriter(); // a StringBuffer inside: safe to read while the command writes
        StringWriter err = new StringWriter();
        holdPack = true;

        CompletableFuture<Integer> pack = CompletableFuture.supplyAsync(() -> {
            picocli.CommandLine commandLine = JzeoCommand.commandLine();
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
            return commandLine.execute("pack", address);
        });
        assertThat(packInGc.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the pack reached its GC").isTrue();
        String progressLine = "jzeo pack: storage '1' on " + address + ": " + HELD + ", ";
        await("jzeo pack prints the held pack's progress", () -> out.toString().contains(progressLine));
        release.countDown();
        int exit = pack.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(exit).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.subList(0, lines.size() - 1)).isNotEmpty().allSatisfy(line ->
                assertThat(line).matches("jzeo pack: storage '1' on " + address.replace(".", "\\.")
                        + ": [a-z ]+: .+ \\(\\d+%\\), \\d+ s so far"));
        assertThat(lines.get(lines.size() - 1)).matches("jzeo pack: packed storage '1' on "
                + address.replace(".", "\\.") + " as of \\S+ in \\d+\\.\\d s; size " + sizeBefore + " bytes before, "
                + Files.size(data) + " bytes after");
        assertThat(Files.size(data)).as("the pack removed the child's old revisions").isLessThan(sizeBefore - 2000);
    }

    @Test
    void statusShowsARunningPacksProgressAndNothingOnceItHasFinished() throws Exception {
        holdPack = true;
        Cli.Result started = Cli.run("pack", "--no-wait", address);
        assertThat(started.exitCode()).as(started.err()).isZero();
        assertThat(packInGc.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the pack reached its GC").isTrue();

        Cli.Result probe = Cli.run("status", address);
        Cli.Result registered = Cli.run("status", "-S", "1", address);
        release.countDown();

        for (Cli.Result status : List.of(probe, registered)) {
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out().lines()).contains("pack-progress            " + HELD);
        }
        PackProgressSource storage = (PackProgressSource) server.storages().storage("1").storage();
        await("the pack has finished", () -> storage.packProgress().isEmpty());
        assertThat(Cli.run("status", address).out()).doesNotContain("pack-progress");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
