package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jzeo.auth.AuthenticationFailure;
import org.jzeo.auth.Scram;
import org.jzeo.auth.ScramClient;
import org.jzeo.auth.ScramServerExchange;
import org.jzeo.auth.ScramVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ReloadingPasswordDatabaseTest {
    private static final PasswordDatabase OLD = PasswordDatabase.empty("jzeo")
            .withUser("alice", PasswordDatabaseTest.ALICE);
    private static final PasswordDatabase NEW = OLD.withUser("bob", PasswordDatabaseTest.BOB);

    @TempDir
    Path dir;
    private Path file;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ReloadingPasswordDatabase.class);

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("passwd");
        PasswordFileWriter.write(file, OLD);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(log);
    }

    @Test
    void aReplacedFileIsSeenAtTheNextCallAndLogged() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);
        assertThat(db.current().users()).containsExactly("alice");
        assertThat(db.verifier("bob")).isNull();

        PasswordFileWriter.write(file, NEW);

        assertThat(db.current().users()).containsExactly("alice", "bob");
        assertThat(db.verifier("bob")).isEqualTo(PasswordDatabaseTest.BOB);
        assertThat(messages(Level.INFO)).containsExactly("read 1 users from " + file + " (realm jzeo)",
                "read 2 users from " + file + " (realm jzeo)");
    }

    @Test
    void anUnchangedFileIsNotReread() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);
        PasswordDatabase first = db.current();

        assertThat(db.current()).isSameAs(first);
        assertThat(messages(Level.INFO)).hasSize(1);
    }

    /** Same size, same modification time: only the file key (inode) tells the renamed-over file apart. */
    @Test
    void aFileRenamedOverWithTheSameSizeAndTimeIsSeenByItsFileKey() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);
        ScramVerifier other = PasswordDatabaseTest.verifier("another password", 9);
        Path replacement = Files.writeString(dir.resolve("replacement"),
                PasswordDatabase.empty("jzeo").withUser("alice", other).render());
        assertThat(Files.size(replacement)).isEqualTo(Files.size(file));
        Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(file));

        Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        assertThat(db.verifier("alice")).isEqualTo(other);
    }

    @Test
    void reloadRereadsAFileChangedInPlaceThatTheStampMisses() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);
        ScramVerifier other = PasswordDatabaseTest.verifier("another password", 9);
        FileTime time = Files.getLastModifiedTime(file);
        // In place: same inode, same size, and the time put back.
        Files.writeString(file, PasswordDatabase.empty("jzeo").withUser("alice", other).render());
        Files.setLastModifiedTime(file, time);
        assertThat(db.verifier("alice")).as("no change visible in the stamp").isEqualTo(PasswordDatabaseTest.ALICE);

        assertThat(db.reload().verifier("alice")).isEqualTo(other);
        assertThat(db.verifier("alice")).isEqualTo(other);
    }

    @Test
    void aMalformedFileKeepsThePreviousDatabaseAndIsLoggedOnceUntilItIsFixed() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);

        Files.writeString(file, "realm jzeo\nalice\n");

        assertThat(db.current().users()).containsExactly("alice");
        assertThat(db.verifier("alice")).isEqualTo(PasswordDatabaseTest.ALICE);
        assertThat(messages(Level.ERROR)).containsExactly("cannot reread the password database " + file
                + ":2: neither 'realm NAME' nor 'user:verifier' nor a comment; still using the previous one (1 users,"
                + " realm jzeo)");

        PasswordFileWriter.write(file, NEW);
        assertThat(db.current().users()).containsExactly("alice", "bob");
        assertThat(messages(Level.ERROR)).hasSize(1);
    }

    @Test
    void aMissingFileKeepsThePreviousDatabaseAndIsLoggedOnce() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);

        Files.delete(file);

        assertThat(db.current().users()).containsExactly("alice");
        assertThat(db.current().users()).containsExactly("alice");
        assertThat(messages(Level.ERROR)).containsExactly("cannot reread the password database " + file
                + ": the file does not exist; still using the previous one (1 users, realm jzeo)");
        assertThat(db.reload().users()).as("an explicit reload reports again").containsExactly("alice");
        assertThat(messages(Level.ERROR)).hasSize(2);
    }

    @Test
    void aServerDoesNotStartWithAMissingOrMalformedFile() throws Exception {
        assertThatThrownBy(() -> new ReloadingPasswordDatabase(dir.resolve("missing")))
                .isInstanceOf(NoSuchFileException.class);
        Path bad = Files.writeString(dir.resolve("bad"), "alice:x\n");
        assertThatThrownBy(() -> new ReloadingPasswordDatabase(bad))
                .isInstanceOf(MalformedPasswordFileException.class)
                .hasMessageStartingWith(bad + ":1: ");
    }

    @Test
    void decoysAreStablePerUserDistinctPerUserAndPerServerAndLookLikeRealVerifiers() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);
        ReloadingPasswordDatabase otherServer = new ReloadingPasswordDatabase(file);

        ScramVerifier mallory = db.decoy("mallory");

        assertThat(db.decoy("mallory")).isEqualTo(mallory);
        assertThat(mallory.iterations()).isEqualTo(Scram.DEFAULT_ITERATIONS);
        assertThat(mallory.salt()).hasSize(Scram.SALT_BYTES);
        assertThat(mallory.storedKey()).hasSize(32);
        assertThat(mallory.serverKey()).hasSize(32);
        assertThat(db.decoy("trudy").salt()).isNotEqualTo(mallory.salt());
        assertThat(otherServer.decoy("mallory").salt()).isNotEqualTo(mallory.salt());
    }

    /** Asked twice, an unknown user's server-first message carries the same salt and iterations, as a real one's. */
    @Test
    void anUnknownUsersExchangeShowsTheSameSaltEachTimeAndFailsOnlyAtTheProof() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);

        String first = saltAndIterations(db, "mallory");
        String second = saltAndIterations(db, "mallory");

        assertThat(first).isEqualTo(second).endsWith(",i=4096");
        ScramServerExchange server = new ScramServerExchange(db::verifier, db::decoy);
        ScramClient client = new ScramClient("mallory", "guess".toCharArray());
        String clientFinal = client.clientFinal(server.start(client.clientFirst()));
        assertThatThrownBy(() -> server.finish(clientFinal)).isInstanceOf(AuthenticationFailure.class);
    }

    private static String saltAndIterations(ReloadingPasswordDatabase db, String user) {
        String serverFirst = new ScramServerExchange(db::verifier, db::decoy)
                .start(new ScramClient(user, "x".toCharArray()).clientFirst());
        return serverFirst.substring(serverFirst.indexOf(",s="));
    }

    @Test
    void threadsSigningOnWhileTheFileIsReplacedEachSeeAWholeDatabase() throws Exception {
        ReloadingPasswordDatabase db = new ReloadingPasswordDatabase(file);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                readers.add(pool.submit(() -> {
                    int seenNew = 0;
                    while (seenNew < 200) {
                        PasswordDatabase current = db.current();
                        assertThat(current.verifier("alice")).isEqualTo(PasswordDatabaseTest.ALICE);
                        if (current.users().size() == 2) {
                            assertThat(current.verifier("bob")).isEqualTo(PasswordDatabaseTest.BOB);
                            seenNew++;
                        }
                    }
                    return seenNew;
                }));
            }
            for (int i = 0; i < 20; i++) {
                PasswordFileWriter.write(file, i % 2 == 0 ? NEW : OLD);
            }
            PasswordFileWriter.write(file, NEW);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<String> messages(Level level) {
        return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
