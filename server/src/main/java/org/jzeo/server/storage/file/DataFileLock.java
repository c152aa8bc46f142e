package org.jzeo.server.storage.file;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.jzeo.api.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The exclusive inter-process lock on a FileStorage's {@code Data.fs.lock}, compatible with Python's
 * {@code zc.lockfile} (which ZODB's FileStorage and ZEO use): while one is held, no other jzeo process and no
 * Python process opening the same storage for writing can take it.
 *
 * <p>Guarantees, on Linux (64-bit) and macOS:
 * <ul>
 * <li>the lock is a BSD {@code flock(LOCK_EX | LOCK_NB)} on the lock file, as zc.lockfile takes it; Java's
 * {@link FileChannel#lock()} is not used because it takes POSIX {@code fcntl} locks, which on Linux do not
 * conflict with {@code flock}. Since {@code flock} belongs to an open file description, a second
 * {@link #acquire} of the same file fails even within this process;
 * <li>{@link #acquire} never waits: a held lock fails at once with {@link StorageLockedException}, naming the
 * holder's pid read from the file;
 * <li>once held, the file contains {@code " <pid>\n"}, the format zc.lockfile writes and reads;
 * <li>{@link #close()} releases the lock and is idempotent. Like zc.lockfile, it leaves the file in place:
 * deleting it would let a process that already opened the old file and one that creates a new one both
 * "hold" the lock. A process that dies without closing loses the lock to the kernel.
 * </ul>
 *
 * <p>Elsewhere, or when JNA cannot reach libc, it falls back to {@link FileChannel#tryLock()} and logs a
 * warning: other jzeo processes are still excluded, Python processes are not. {@link #usesFlock()} tells which.
 *
 * <p>A lock is meant for one owner (the storage that opened it); {@link #close()} may be called from any
 * thread. If the object is dropped without being closed, the lock stays held until the process exits.
 */
public final class DataFileLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataFileLock.class);

    private static final long SELF_PID = ProcessHandle.current().pid();
    /** Enough for a pid and a hostname; the holder is only read to name it in a message. */
    private static final int MAX_HOLDER_BYTES = 256;

    private final Path lockFile;
    private final Held held;
    private boolean closed;

    private DataFileLock(Path lockFile, Held held) {
        this.lockFile = lockFile;
        this.held = held;
    }

    /**
     * Takes the lock on {@code lockFile}, creating the file if needed, and writes this process's pid into it.
     *
     * @throws StorageLockedException if another holder has it
     * @throws StorageException if the file cannot be opened, locked or written for another reason
     */
    public static DataFileLock acquire(Path lockFile) {
        Objects.requireNonNull(lockFile, "lockFile");
        Path file = lockFile.toAbsolutePath();
        NativeFlock flock = NativeFlock.INSTANCE;
        if (flock != null) {
            return new DataFileLock(file, flock.lock(file));
        }
        LOG.warn("Locking {} with Java's FileChannel.tryLock because flock(2) is unavailable ({}): other jzeo "
                + "processes are excluded, Python ZODB/ZEO processes are NOT", file, NativeFlock.UNAVAILABLE);
        return acquireWithChannel(file);
    }

    /** The fallback, package-private so that tests can exercise it on platforms that have flock. */
    static DataFileLock acquireWithChannel(Path lockFile) {
        return new DataFileLock(lockFile, ChannelLock.lock(lockFile.toAbsolutePath()));
    }

    public Path lockFile() {
        return lockFile;
    }

    /** Whether this is a real {@code flock}, which also excludes Python's zc.lockfile. */
    public boolean usesFlock() {
        return held instanceof FlockHeld;
    }

    /** Releases the lock; later calls do nothing. The file stays, as with zc.lockfile. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        held.release(lockFile);
    }

    @Override
    public synchronized String toString() {
        return "DataFileLock[" + lockFile + (usesFlock() ? ", flock" : ", fcntl") + (closed ? ", closed]" : "]");
    }

    /** The content zc.lockfile writes: a space, the pid, a newline. */
    private static byte[] pidContent() {
        return (" " + SELF_PID + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Makes the holder's content safe and short enough for a message. */
    private static String describeHolder(byte[] content, int length) {
        String text = new String(content, 0, Math.max(0, length), StandardCharsets.UTF_8).strip();
        StringBuilder safe = new StringBuilder(text.length());
        text.codePoints().limit(100).forEach(c -> safe.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return safe.toString();
    }

    private interface Held {
        void release(Path lockFile);
    }

    /** A held flock: the descriptor that owns it. */
    private record FlockHeld(NativeFlock flock, int fd) implements Held {
        @Override
        public void release(Path lockFile) {
            flock.unlock(lockFile, fd);
        }
    }

    /**
     * {@code flock(2)} and friends through JNA. Only the ABIs whose constants are known are supported: Linux on
     * 64-bit architectures using the generic {@code open} flags, and macOS.
     */
    private static final class NativeFlock {
        static final NativeFlock INSTANCE;
        static final String UNAVAILABLE;

        // Same values on Linux and macOS.
        private static final int LOCK_EX = 2;
        private static final int LOCK_NB = 4;
        private static final int LOCK_UN = 8;
        private static final int EINTR = 4;

        static {
            NativeFlock instance = null;
            String reason = null;
            try {
                Abi abi = Abi.current();
                if (abi == null) {
                    reason = "no known open(2) flags for " + System.getProperty("os.name") + "/"
                            + System.getProperty("os.arch");
                } else {
                    instance = new NativeFlock(Native.load(Platform.C_LIBRARY_NAME, LibC.class), abi);
                }
            } catch (LinkageError | RuntimeException e) {
                // JNA missing from the class path, or its native part cannot load (e.g. noexec temp dir).
                reason = "cannot reach libc through JNA: " + e;
            }
            INSTANCE = instance;
            UNAVAILABLE = reason;
        }

        /** The libc calls used; the 64-bit restriction lets {@code long} stand for size_t, ssize_t and off_t. */
        interface LibC extends Library {
            // open is variadic; declaring the mode as varargs makes JNA use the variadic calling convention,
            // which differs from the fixed one on macOS/arm64.
            int open(byte[] path, int flags, Object... mode) throws LastErrorException;

            int flock(int fd, int operation) throws LastErrorException;

            long pread(int fd, byte[] buffer, long count, long offset) throws LastErrorException;

            long pwrite(int fd, byte[] buffer, long count, long offset) throws LastErrorException;

            int ftruncate(int fd, long length) throws LastErrorException;

            int close(int fd) throws LastErrorException;

            String strerror(int errno);
        }

        record Abi(int openFlags, int eWouldBlock) {
            static Abi current() {
                if (!Platform.is64Bit()) {
                    return null;
                }
                if (Platform.isLinux() && Set.of("x86-64", "aarch64", "riscv64", "ppc64le", "s390x")
                        .contains(Platform.ARCH)) {
                    // O_RDWR | O_CREAT | O_CLOEXEC (asm-generic values); EWOULDBLOCK == EAGAIN == 11.
                    return new Abi(02 | 0100 | 02000000, 11);
                }
                if (Platform.isMac()) {
                    // O_RDWR | O_CREAT | O_CLOEXEC; EWOULDBLOCK == EAGAIN == 35.
                    return new Abi(0x2 | 0x200 | 0x1000000, 35);
                }
                return null;
            }
        }

        private final LibC libc;
        private final Abi abi;
        private final Charset pathCharset;

        private NativeFlock(LibC libc, Abi abi) {
            this.libc = libc;
            this.abi = abi;
            // Encode file names as the JDK does for its own system calls, not with JNA's default charset.
            this.pathCharset = charsetOr(System.getProperty("sun.jnu.encoding"), StandardCharsets.UTF_8);
        }

        FlockHeld lock(Path file) {
            byte[] name = file.toString().getBytes(pathCharset);
            byte[] path = Arrays.copyOf(name, name.length + 1);
            int fd;
            try {
                // 0644 before umask: zc.lockfile would create it 0666, but only the holder writes it.
                // O_CLOEXEC so that spawned programs do not inherit the descriptor and with it the lock.
                fd = (int) retryOnEintr(() -> libc.open(path, abi.openFlags(), 0644));
            } catch (LastErrorException e) {
                throw failure("Cannot open lock file " + file, e);
            }
            try {
                retryOnEintr(() -> libc.flock(fd, LOCK_EX | LOCK_NB));
            } catch (LastErrorException e) {
                String holder = e.getErrorCode() == abi.eWouldBlock() ? readHolder(fd) : null;
                closeQuietly(file, fd);
                if (e.getErrorCode() == abi.eWouldBlock()) {
                    throw new StorageLockedException(file, holder);
                }
                throw failure("Cannot lock " + file, e);
            }
            try {
                writePid(fd);
            } catch (LastErrorException e) {
                unlock(file, fd);
                throw failure("Cannot write the pid into lock file " + file, e);
            }
            LOG.debug("Locked {} with flock", file);
            return new FlockHeld(this, fd);
        }

        /** Writes then truncates, as zc.lockfile does, so that a reader never sees an empty file. */
        private void writePid(int fd) {
            byte[] content = pidContent();
            int written = 0;
            while (written < content.length) {
                byte[] rest = Arrays.copyOfRange(content, written, content.length);
                int offset = written;
                long n = retryOnEintr(() -> libc.pwrite(fd, rest, rest.length, offset));
                if (n <= 0) {
                    throw new LastErrorException(5); // EIO: a regular file that accepts no bytes
                }
                written += (int) n;
            }
            retryOnEintr(() -> libc.ftruncate(fd, content.length));
        }

        void unlock(Path file, int fd) {
            try {
                libc.flock(fd, LOCK_UN);
            } catch (LastErrorException e) {
                // Closing the descriptor below releases the lock anyway.
                LOG.warn("Cannot unlock {}: {}", file, strerror(e.getErrorCode()));
            }
            closeQuietly(file, fd);
        }

        private String readHolder(int fd) {
            byte[] buffer = new byte[MAX_HOLDER_BYTES];
            try {
                long n = retryOnEintr(() -> libc.pread(fd, buffer, buffer.length, 0));
                return describeHolder(buffer, (int) n);
            } catch (LastErrorException e) {
                return null;
            }
        }

        private void closeQuietly(Path file, int fd) {
            try {
                // Not retried on EINTR: Linux frees the descriptor even then, and a retry could close
                // a descriptor another thread has just been given.
                libc.close(fd);
            } catch (LastErrorException e) {
                LOG.warn("Cannot close lock file {}: {}", file, strerror(e.getErrorCode()));
            }
        }

        private StorageException failure(String what, LastErrorException e) {
            return new StorageException(what + ": " + strerror(e.getErrorCode()), e);
        }

        private String strerror(int errno) {
            String text = null;
            try {
                text = libc.strerror(errno);
            } catch (RuntimeException | LinkageError e) {
                // Only the message suffers.
            }
            return (text == null ? "error" : text) + " (errno " + errno + ")";
        }

        private static long retryOnEintr(LongSupplier call) {
            while (true) {
                try {
                    return call.getAsLong();
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != EINTR) {
                        throw e;
                    }
                }
            }
        }

        private static Charset charsetOr(String name, Charset fallback) {
            try {
                return name == null ? fallback : Charset.forName(name);
            } catch (RuntimeException e) {
                return fallback;
            }
        }
    }

    /**
     * The fallback: a Java (fcntl) lock. POSIX drops all of a process's fcntl locks on a file when the process
     * closes any descriptor of it, so a second attempt from this JVM must not even open the file: the files
     * locked here are tracked and refused up front.
     */
    private static final class ChannelLock {
        private static final Set<Object> LOCKED_HERE = ConcurrentHashMap.newKeySet();

        static ChannelHeld lock(Path file) {
            Object identity;
            try {
                try {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    // The usual case.
                }
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                identity = attributes.fileKey() != null ? attributes.fileKey() : file.toRealPath();
            } catch (NoSuchFileException e) {
                throw new StorageException("Cannot open lock file " + file + ": No such file or directory", e);
            } catch (IOException e) {
                throw new StorageException("Cannot open lock file " + file + ": " + e, e);
            }
            if (!LOCKED_HERE.add(identity)) {
                throw new StorageLockedException(file, Long.toString(SELF_PID));
            }
            FileChannel channel = null;
            try {
                channel = FileChannel.open(file, READ, WRITE, CREATE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    // Some other code in this JVM locked it.
                    throw new StorageLockedException(file, Long.toString(SELF_PID));
                }
                if (lock == null) {
                    ByteBuffer buffer = ByteBuffer.allocate(MAX_HOLDER_BYTES);
                    int n = channel.read(buffer, 0);
                    throw new StorageLockedException(file, describeHolder(buffer.array(), n));
                }
                ByteBuffer content = ByteBuffer.wrap(pidContent());
                while (content.hasRemaining()) {
                    channel.write(content, content.position());
                }
                channel.truncate(content.limit());
                LOG.debug("Locked {} with FileChannel.tryLock", file);
                ChannelHeld held = new ChannelHeld(channel, identity);
                channel = null;
                return held;
            } catch (IOException e) {
                throw new StorageException("Cannot lock " + file + ": " + e, e);
            } finally {
                if (channel != null) {
                    closeQuietly(file, channel);
                    LOCKED_HERE.remove(identity);
                }
            }
        }

        static void closeQuietly(Path file, FileChannel channel) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("Cannot close lock file {}: {}", file, e.toString());
            }
        }
    }

    /** A held fcntl lock: the channel that owns it and the file's identity among the files locked here. */
    private record ChannelHeld(FileChannel channel, Object identity) implements Held {
        @Override
        public void release(Path lockFile) {
            // Closing the channel releases its lock; forget the file only afterwards so that no other attempt
            // here opens (and closes) it while the lock is still ours.
            ChannelLock.closeQuietly(lockFile, channel);
            ChannelLock.LOCKED_HERE.remove(identity);
        }
    }
}
