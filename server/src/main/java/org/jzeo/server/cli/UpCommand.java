package org.jzeo.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jzeo.api.ConflictException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.Tid;
import org.jzeo.client.Credentials;
import org.jzeo.protocol.Requests;
import org.jzeo.protocol.Requests.TransactionCall;
import org.jzeo.storage.record.JzeoRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jzeo up}: zeoup. Checks that a server answers for a storage: connects, registers, loads the root object
 * and, by default, commits one small transaction (a new, unreferenced jzeo record holding the time, which the
 * next pack collects). A database without a root object is never written to: the check transaction is voted and
 * then aborted, because an object nothing can reach before a root exists would make pack refuse to run. With
 * {@code --nowrite} it only loads. Exit status 0 when healthy (a conflict counts as healthy, as in zeoup: the
 * commit machinery answered), 1 when not, each with one explaining line.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Check that a ZEO/jzeo server is up (zeoup): exit status 0 if healthy, 1 if not.",
            "By default it also commits a tiny unreferenced object (collected by the next pack; only voted and"
                + " aborted while the database has no root object); --nowrite only loads the root object on a"
                + " read-only connection."})
final class UpCommand implements Callable<Integer> {
    private static final String EMPTY = "the database is empty (no root object yet)";

    @Parameters(paramLabel = "HOST:PORT[:STORAGE]", arity = "0..1",
            description = "The server (default 127.0.0.1:8100; also [ipv6]:port or a bare port).")
    String server;

    @Option(names = {"-u", "--unix"}, paramLabel = "PATH[:STORAGE]", description = "A Unix-socket server instead.")
    String unixSocket;

    @Option(names = {"-S", "--storage"}, paramLabel = "NAME", defaultValue = "1",
            description = "Storage name (default ${DEFAULT-VALUE}).")
    String storage;

    @Option(names = "--nowrite", description = "Do not commit; register read-only and load the root object.")
    boolean noWrite;

    @Mixin
    TimeoutOption timeout;

    @Mixin
    TlsOptions tlsOptions;

    @Mixin
    CredentialOptions credentialOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ServerSpec target = target();
        Credentials credentials = credentialOptions.credentials();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        try (AdminConnection c = AdminConnection.open(target.socketAddress(), target.address(),
                timeout.duration(), tlsOptions.settings(), credentials)) {
            Tid last = c.register(target.storage(), noWrite);
            boolean hasRoot = hasRoot(c);
            String what = noWrite ? (hasRoot ? "loaded the root object" : EMPTY) : writeCheck(c, hasRoot);
            out.printf(Locale.ROOT, "Elapsed time: %.2f%n", (System.nanoTime() - start) / 1e9);
            out.printf("jzeo up: OK: %s answers (last transaction %s); %s%n", target.describe(), last, what);
            out.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            err.printf("jzeo up: NOT OK: %s: %s%n", target.describe(), Failures.describe(e));
            err.flush();
            return 1;
        }
    }

    private ServerSpec target() {
        try {
            return ServerSpec.single(server, unixSocket, storage);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static boolean hasRoot(AdminConnection c) throws IOException {
        try {
            c.call(new Requests.LoadBefore(Oid.ROOT, Tid.MAX));
            return true;
        } catch (POSKeyException e) {
            return false;
        }
    }

    private static String writeCheck(AdminConnection c, boolean hasRoot) throws IOException {
        Object oids = c.call(new Requests.NewOids(1));
        if (!(oids instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof byte[] oid)) {
            throw new IOException("new_oids answered " + oids);
        }
        long txn = 1;
        byte[] record = JzeoRecord.encode(List.of(),
                ("jzeo up " + Instant.now()).getBytes(StandardCharsets.UTF_8));
        try {
            c.send(new Requests.TpcBegin(txn, "jzeo up".getBytes(StandardCharsets.UTF_8),
                    "jzeo up: health check".getBytes(StandardCharsets.UTF_8), Map.of(), null, " "));
            c.send(new Requests.Store(Oid.fromBytes(oid), Tid.ZERO, record, txn));
            c.call(new TransactionCall(TransactionCall.VOTE, txn));
            if (!hasRoot) {
                c.call(new TransactionCall(TransactionCall.ABORT, txn));
                return EMPTY + "; voted a check transaction and aborted it";
            }
            Object tid = c.call(new TransactionCall(TransactionCall.FINISH, txn));
            return "committed object " + Oid.fromBytes(oid) + (tid instanceof byte[] b && b.length == 8
                    ? " in transaction " + Tid.fromBytes(b) : "");
        } catch (ConflictException e) {
            abortQuietly(c, txn);
            return "the commit met a conflict, which still shows the server working";
        } catch (IOException | RuntimeException e) {
            abortQuietly(c, txn);
            throw e;
        }
    }

    private static void abortQuietly(AdminConnection c, long txn) {
        try {
            c.call(new TransactionCall(TransactionCall.ABORT, txn));
        } catch (IOException | RuntimeException e) {
            // the connection may be gone already; the server aborts the transaction on disconnect
        }
    }
}
