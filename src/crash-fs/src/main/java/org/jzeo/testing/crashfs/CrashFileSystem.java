package org.jzeo.testing.crashfs;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Set;

/**
 * A file system over a real folder that simulates power loss, in the spirit of Lucene's mock file wrappers and
 * RocksDB's fault-injection file system.
 *
 * <p>Code under test gets paths from {@link #root()} and uses them through {@code java.nio.file} as usual. The
 * simulation remembers, for every file, the bytes made durable by its last {@code force} and the writes since,
 * and, for every directory, the entries made durable by its last sync (a {@code force} of a channel opened on the
 * directory) and the creations, renames, links and deletions since. {@link #restore} then writes into a new real
 * folder what a power loss would have left: each unforced write kept, lost, zero-filled (its size reached the
 * disk, its data did not) or torn at a 512-byte boundary, and for each directory only a prefix of its unsynced
 * entry changes, all chosen reproducibly from a seed.
 *
 * <p>The power goes at a chosen mutating operation ({@link #crashAfter}) or at once ({@link #powerLoss}); from
 * then on every mutating operation fails with an IOException, so nothing the code under test does later can
 * reach the disk or be acknowledged as durable. Reads keep working.
 *
 * <p>For mutation checks, {@link #ignoreForcesAt} turns every force called from a given source line (anywhere on
 * the stack) into a no-op, exactly as if the line were deleted.
 */
public final class CrashFileSystem extends FileSystem {
    private final CrashFileSystemProvider provider;
    private final FileSystem realFs;
    private final Disk disk;

    private CrashFileSystem(Path realRoot) throws IOException {
        this.realFs = realRoot.getFileSystem();
        this.disk = new Disk(realRoot);
        this.provider = new CrashFileSystemProvider(this, realFs.provider(), disk);
    }

    /** A simulated disk holding what {@code realRoot} (an existing folder) holds now, all of it durable. */
    public static CrashFileSystem over(Path realRoot) throws IOException {
        return new CrashFileSystem(realRoot);
    }

    /** The simulated disk's top folder. */
    public Path root() {
        return new CrashPath(this, disk.realRoot());
    }

    /** The power goes at the {@code operations}-th mutating operation from now (1: the next one). */
    public void crashAfter(long operations) {
        disk.crashAfter(operations);
    }

    /**
     * The next positional write stores half of its bytes and then throws an IOException, as a full disk does
     * (a relative write throws without writing); the power stays on and later writes succeed.
     */
    public void failNextWrite() {
        disk.failNextWrite();
    }

    /** The power goes now. */
    public void powerLoss() {
        disk.powerLoss();
    }

    public boolean crashed() {
        return disk.crashed();
    }

    /** Mutating operations so far (writes, truncations, forces, directory syncs, creations, renames, links...). */
    public long operations() {
        return disk.operations();
    }

    /**
     * Cuts the power (if not cut yet) and writes what survived into {@code target}, a real folder (created if
     * missing, normally empty). The same history and seed give the same result.
     */
    public PowerLossReport restore(long seed, Path target) throws IOException {
        return disk.restore(seed, target);
    }

    /** Forces called from {@code site} ("File.java:line", anywhere on the stack) do nothing from now on. */
    public void ignoreForcesAt(String site) {
        disk.ignoreForcesAt(site);
    }

    /** The source lines ("File.java:line") that called force, file or directory, so far. */
    public Set<String> forceSites() {
        return disk.forceSites();
    }

    Path real(Path path) {
        if (path instanceof CrashPath c) {
            if (c.getFileSystem() != this) {
                throw new IllegalArgumentException(path + " belongs to another simulated disk");
            }
            return c.real();
        }
        throw new java.nio.file.ProviderMismatchException(path + " is not a path of the simulated disk");
    }

    Path wrap(Path real) {
        return new CrashPath(this, real);
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    /** Nothing to release: the simulation lives as long as the object. */
    @Override
    public void close() {
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return realFs.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(wrap(disk.realRoot().getRoot()));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return realFs.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return realFs.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return wrap(realFs.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher matcher = realFs.getPathMatcher(syntaxAndPattern);
        return path -> matcher.matches(real(path));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return realFs.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("watching is not simulated");
    }
}
