package org.jzeo.server.storage.file;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jzeo.api.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFileLockTest {
    private static final long SELF = ProcessHandle.current().pid();
    /** Generous: the machine is shared and a child JVM or Python may start slowly. */
    private static final long CHILD_TIMEOUT_SECONDS = 120;

    /** Holds a flock the way zc.lockfile does, then waits for stdin to close. */
    private static final String PYTHON_HOLDER = String.join("\n",
            "import fcntl, os, sys",
            "f = open(sys.argv[1], 'a+')",
            "fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            "f.truncate(0)",
            "f.write(' %d\\n' % os.getpid())",
            "f.flush()",
            "print('LOCKED %d' % os.getpid(), flush=True)",
            "sys.stdin.read()");
    private static final String PYTHON_TRY_LOCK =
            "import fcntl,sys; f=open(sys.argv[1],'a+'); fcntl.flock(f, fcntl.LOCK_EX|fcntl.LOCK_NB)";

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();
    private final List<DataFileLock> locks = new ArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        locks.forEach(DataFileLock::close);
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void acquireWritesThePidAsZcLockfileDoes() throws IOException {
        Path file = dir.resolve("Data.fs.lock");

        DataFileLock lock = held(DataFileLock.acquire(file));

        assertThat(Files.readString(file, US_ASCII)).isEqualTo(" " + SELF + "\n");
        assertThat(lock.lockFile()).isEqualTo(file.toAbsolutePath());
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            // open(2)'s mode is a variadic argument: garbage here would mean it was passed wrongly.
            assertThat(Files.getPosixFilePermissions(file))
                    .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
                    .doesNotContain(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE);
        }
    }

    @Test
    void overwritesAStaleHolderLeftByADeadProcess() throws IOException {
        Path file = dir.resolve("Data.fs.lock");
        Files.writeString(file, " 99999999 and some longer stale content\n", US_ASCII);

        held(DataFileLock.acquire(file));

        assertThat(Files.readString(file, US_ASCII)).isEqualTo(" " + SELF + "\n");
    }

    @Test
    void usesRealFlockOnLinux() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "flock is required on Linux only");

        assertThat(held(DataFileLock.acquire(dir.resolve("Data.fs.lock"))).usesFlock())
                .as("flock through JNA must be available on Linux, or Python processes are not excluded")
                .isTrue();
    }

    @Test
    void secondAcquireInTheSameProcessFailsNamingThePid() throws IOException {
        Path file = dir.resolve("Data.fs.lock");
        held(DataFileLock.acquire(file));

        // flock belongs to the open file description, so a second open() in this process conflicts too.
        assertThatThrownBy(() -> DataFileLock.acquire(file))
                .isInstanceOfSatisfying(StorageLockedException.class, e -> {
                    assertThat(e.holderPid()).hasValue(SELF);
                    assertThat(e.lockFile()).isEqualTo(file.toAbsolutePath());
                })
                .hasMessageContaining("Data.fs is already locked")
                .hasMessageContaining("lock file " + file.toAbsolutePath())
                .hasMessageContaining("held by pid " + SELF);
        // The failed attempt neither released nor rewrote the held lock.
        assertThat(Files.readString(file, US_ASCII)).isEqualTo(" " + SELF + "\n");
        assertThatThrownBy(() -> DataFileLock.acquire(file)).isInstanceOf(StorageLockedException.class);
    }

    @Test
    void closeReleasesKeepsTheFileAndIsIdempotent() {
        Path file = dir.resolve("Data.fs.lock");
        DataFileLock first = DataFileLock.acquire(file);

        first.close();
        first.close();

        assertThat(file).exists();
        DataFileLock second = held(DataFileLock.acquire(file));
        first.close();
        assertThatThrownBy(() -> DataFileLock.acquire(file))
                .as("closing the old lock again must not release the new one")
                .isInstanceOf(StorageLockedException.class);
        second.close();
        held(DataFileLock.acquire(file));
    }

    @Test
    void aMissingDirectoryIsAnErrorNotALock() {
        Path file = dir.resolve("no-such-dir").resolve("Data.fs.lock");

        assertThatThrownBy(() -> DataFileLock.acquire(file))
                .isInstanceOf(StorageException.class)
                .isNotInstanceOf(StorageLockedException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("No such file");
    }

    @Test
    void channelFallbackExcludesASecondAcquireAndReleasesOnClose() throws IOException {
        Path file = dir.resolve("Data.fs.lock");
        DataFileLock first = DataFileLock.acquireWithChannel(file);
        assertThat(first.usesFlock()).isFalse();
        assertThat(Files.readString(file, US_ASCII)).isEqualTo(" " + SELF + "\n");

        assertThatThrownBy(() -> DataFileLock.acquireWithChannel(file))
                .isInstanceOf(StorageLockedException.class)
                .hasMessageContaining("held by pid " + SELF);

        first.close();
        first.close();
        held(DataFileLock.acquireWithChannel(file));
    }

    @Test
    void anotherJvmHoldingTheLockExcludesUsUntilItIsKilled() throws Exception {
        Path file = dir.resolve("Data.fs.lock");
        Process child = start(javaCommand(DataFileLockHolder.class.getName(), file.toString()));
        String line = awaitLine(child, "LOCKED ");
        assertThat(line).isEqualTo("LOCKED " + child.pid() + " flock=true");

        assertThatThrownBy(() -> DataFileLock.acquire(file))
                .isInstanceOfSatisfying(StorageLockedException.class,
                        e -> assertThat(e.holderPid()).hasValue(child.pid()))
                .hasMessageContaining("Data.fs is locked by another process")
                .hasMessageContaining("held by pid " + child.pid());

        // SIGKILL: the child cannot clean up, the kernel releases the flock when its descriptors close.
        child.destroyForcibly();
        assertThat(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("child exited").isTrue();
        held(DataFileLock.acquire(file));
        assertThat(Files.readString(file, US_ASCII)).isEqualTo(" " + SELF + "\n");
    }

    @Test
    void pythonCannotFlockWhileWeHoldTheLock() throws Exception {
        assumePython();
        Path file = dir.resolve("Data.fs.lock");
        DataFileLock lock = held(DataFileLock.acquire(file));

        Result whileHeld = run(List.of("python3", "-c", PYTHON_TRY_LOCK, file.toString()));
        assertThat(whileHeld.exitCode()).as("python flock exit code; output: %s", whileHeld.output()).isNotZero();
        assertThat(whileHeld.output()).contains("BlockingIOError");

        lock.close();
        Result afterClose = run(List.of("python3", "-c", PYTHON_TRY_LOCK, file.toString()));
        assertThat(afterClose.exitCode()).as("python flock after close; output: %s", afterClose.output()).isZero();
    }

    @Test
    void weCannotLockWhilePythonHoldsAFlock() throws Exception {
        assumePython();
        Path file = dir.resolve("Data.fs.lock");
        Process python = start(List.of("python3", "-c", PYTHON_HOLDER, file.toString()));
        long pythonPid = Long.parseLong(awaitLine(python, "LOCKED ").substring("LOCKED ".length()).strip());

        assertThatThrownBy(() -> DataFileLock.acquire(file))
                .isInstanceOf(StorageLockedException.class)
                .hasMessageContaining("held by pid " + pythonPid);

        python.getOutputStream().close();
        assertThat(python.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("python exited").isTrue();
        held(DataFileLock.acquire(file));
    }

    private DataFileLock held(DataFileLock lock) {
        locks.add(lock);
        return lock;
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private Process start(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(process);
        return process;
    }

    /**
     * Reads the child's output until a line starts with {@code prefix}. Fails with everything the child printed
     * if it exits first or takes too long (then it is killed, which also unblocks the reader).
     */
    private static String awaitLine(Process child, String prefix) throws Exception {
        List<String> seen = new ArrayList<>();
        CompletableFuture<String> found = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), US_ASCII));
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                    synchronized (seen) {
                        seen.add(line);
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = found.get(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            child.destroyForcibly();
            line = null;
        }
        if (line == null) {
            synchronized (seen) {
                fail("expected a line starting with '%s' from the child, it printed: %s", prefix, seen);
            }
        }
        return line;
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(List<String> command) throws Exception {
        Process process = start(command);
        process.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), US_ASCII);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("%s did not finish within %d s", command, CHILD_TIMEOUT_SECONDS);
        }
        return new Result(process.exitValue(), output.get(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    private void assumePython() throws InterruptedException {
        boolean available;
        try {
            available = run(List.of("python3", "-c", "import fcntl")).exitCode() == 0;
        } catch (Exception e) {
            available = false;
        }
        assumeTrue(available, "python3 with fcntl is not on PATH: skipping the zc.lockfile compatibility check");
    }
}
