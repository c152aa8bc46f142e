package org.jzeo.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jzeo.testing.crashfs.CrashFileSystem;
import org.jzeo.testing.crashfs.PowerLossScenario;
import org.jzeo.testing.crashfs.PowerLossSweep;
import org.opentest4j.TestAbortedException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password file is replaced atomically with owner-only permissions: a reader of the old file keeps the old
 * content whole, a world-readable old file becomes 0600, nothing is left behind, and a power loss at any point leaves
 * the old or the new database, the new one once {@code write} has returned.
 */
public class PasswordFileWriterTest {
    static final PasswordDatabase OLD = PasswordDatabase.empty("jzeo").withUser("alice", PasswordDatabaseTest.ALICE);
    /** Longer than a 512-byte sector, so a power loss can tear it. */
    static final PasswordDatabase NEW;

    static {
        PasswordDatabase db = OLD.withUser("alice", PasswordDatabaseTest.BOB);
        for (int i = 0; i < 8; i++) {
            db = db.withUser("user" + i, PasswordDatabaseTest.ALICE);
        }
        NEW = db;
    }

    @TempDir
    Path dir;

    @Test
    void aNewFileIsOwnerOnlyAndHoldsTheDatabase() throws Exception {
        Path file = dir.resolve("passwd");

        PasswordFileWriter.write(file, OLD);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo(OLD.render());
        assertThat(PasswordDatabase.read(file).verifier("alice")).isEqualTo(PasswordDatabaseTest.ALICE);
    }

    @Test
    void aWorldReadableFileIsReplacedByANewOwnerOnlyFileWhileItsOldContentStaysWholeForReaders() throws Exception {
        Path file = Files.writeString(dir.resolve("passwd"), OLD.render());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Object oldKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();

        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
            PasswordFileWriter.write(file, NEW);

            // Written in place, the open file would now show the new bytes; replaced by a rename, it is the old
            // file still, whole.
            ByteBuffer old = ByteBuffer.allocate(10_000);
            reader.read(old, 0);
            assertThat(new String(old.array(), 0, old.position(), StandardCharsets.UTF_8)).isEqualTo(OLD.render());
        }
        assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isNotEqualTo(oldKey);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo(NEW.render());
        assertThat(filesIn(dir)).containsExactly("passwd");
    }

    /** As root (sudo jzeo passwd), a file the server's user owns stays that user's, or the server could not read it. */
    @Test
    void theOldFilesOwnerIsKept() throws Exception {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal me = users.lookupPrincipalByName(System.getProperty("user.name"));
        UserPrincipal nobody;
        try {
            nobody = users.lookupPrincipalByName("nobody");
        } catch (UserPrincipalNotFoundException e) {
            throw new TestAbortedException("no user 'nobody' here");
        }
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "only root can give a file away");
        Path file = Files.writeString(dir.resolve("passwd"), OLD.render());
        Files.setOwner(file, nobody);

        PasswordFileWriter.write(file, NEW);

        assertThat(Files.getOwner(file)).isEqualTo(nobody).isNotEqualTo(me);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo(NEW.render());
    }

    @Test
    void aFileReachedThroughASymbolicLinkIsReplacedWhereTheLinkPoints() throws Exception {
        Path real = Files.createDirectories(dir.resolve("secrets")).resolve("passwd");
        Files.writeString(real, OLD.render());
        Path link = Files.createSymbolicLink(dir.resolve("passwd"), real);

        PasswordFileWriter.write(link, NEW);

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo(NEW.render());
        assertThat(filesIn(real.getParent())).containsExactly("passwd");
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        CrashFileSystem disk = CrashFileSystem.over(Files.createDirectories(dir.resolve("disk")));
        Path file = disk.root().resolve("passwd");
        PasswordFileWriter.write(file, OLD);

        disk.failNextWrite();
        assertThatThrownBy(() -> PasswordFileWriter.write(file, NEW)).isInstanceOf(IOException.class);

        assertThat(Files.readString(file)).isEqualTo(OLD.render());
        assertThat(filesIn(dir.resolve("disk"))).containsExactly("passwd");
    }

    @Test
    void aPowerLossAtAnyPointLeavesTheOldOrTheNewDatabaseAndTheNewOnceWriteReturned() throws Exception {
        for (PowerLossScenario scenario : scenarios()) {
            PowerLossSweep.Result result = new PowerLossSweep(Files.createDirectories(dir.resolve("sweep")), 3, 1)
                    .run(scenario);
            assertThat(result.points()).isGreaterThan(5);
        }
    }

    /** For this test and FsyncMutationTest (which checks that every force in the writer is needed). */
    public static List<PowerLossScenario> scenarios() {
        AtomicBoolean oldWritten = new AtomicBoolean();
        AtomicBoolean newWritten = new AtomicBoolean();
        return List.of(new PowerLossScenario("password file replaced", (disk, root) -> {
            oldWritten.set(false);
            newWritten.set(false);
            Path file = root.resolve("passwd");
            PasswordFileWriter.write(file, OLD);
            oldWritten.set(true);
            PasswordFileWriter.write(file, NEW);
            newWritten.set(true);
        }, (restored, point, seed, report) -> {
            Path file = restored.resolve("passwd");
            if (!Files.exists(file)) {
                assertThat(oldWritten).as("the file is gone after its first write returned").isFalse();
                return;
            }
            String text = Files.readString(file);
            if (newWritten.get()) {
                assertThat(text).as("after the second write returned").isEqualTo(NEW.render());
            } else if (oldWritten.get()) {
                assertThat(text).as("after the first write returned").isIn(OLD.render(), NEW.render());
            } else {
                assertThat(text).as("during the first write").isEqualTo(OLD.render());
            }
        }));
    }

    private static List<String> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
