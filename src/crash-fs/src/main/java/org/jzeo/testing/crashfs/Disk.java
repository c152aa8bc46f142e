package org.jzeo.testing.crashfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The model of one simulated disk: every file and directory under a real folder, what of them is durable, and
 * what changed since. All methods run under the disk's monitor so a power loss cuts between two operations.
 */
final class Disk {
    private final Path realRoot;
    private final Inode root;
    private final Set<String> ignoredForceSites = new LinkedHashSet<>();
    private final Set<String> forceSites = new LinkedHashSet<>();
    private long operations;
    private long crashAt = Long.MAX_VALUE;
    private boolean crashed;
    private boolean failNextWrite;

    Disk(Path realRoot) throws IOException {
        this.realRoot = realRoot.toAbsolutePath().normalize();
        this.root = scan(this.realRoot);
    }

    private static Inode scan(Path dir) throws IOException {
        Inode inode = new Inode(true);
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                Inode c;
                if (Files.isDirectory(child)) {
                    c = scan(child);
                } else {
                    c = new Inode(false);
                    c.durable = Files.readAllBytes(child);
                }
                inode.entries.put(child.getFileName().toString(), c);
            }
        }
        inode.durableEntries = new TreeMap<>(inode.entries);
        return inode;
    }

    Path realRoot() {
        return realRoot;
    }

    // ----- the power -------------------------------------------------------------------------------------

    /** Counts a mutating operation; throws, and cuts the power for good, if it is the one chosen. */
    synchronized void beforeMutation(String what) throws IOException {
        if (crashed) {
            throw new IOException("simulated power loss: the disk is gone (" + what + ")");
        }
        operations++;
        if (operations >= crashAt) {
            crashed = true;
            throw new IOException("simulated power loss at operation " + operations + " (" + what + ")");
        }
    }

    synchronized void crashAfter(long moreOperations) {
        crashAt = moreOperations <= 0 ? operations : operations + moreOperations;
        if (moreOperations <= 0) {
            crashed = true;
        }
    }

    /** The next write stores half its bytes and then fails, as on a full disk; the power stays on. */
    synchronized void failNextWrite() {
        failNextWrite = true;
    }

    /** Whether this write is the one to fail (and disarms it). */
    synchronized boolean takeWriteFailure() {
        boolean fail = failNextWrite;
        failNextWrite = false;
        return fail;
    }

    synchronized void powerLoss() {
        crashed = true;
    }

    synchronized boolean crashed() {
        return crashed;
    }

    synchronized long operations() {
        return operations;
    }

    // ----- names -----------------------------------------------------------------------------------------

    private Path relative(Path real) throws IOException {
        Path abs = real.toAbsolutePath().normalize();
        if (!abs.startsWith(realRoot)) {
            throw new IOException(real + " is outside the simulated disk " + realRoot);
        }
        return realRoot.relativize(abs);
    }

    /** The inode at {@code real}, or null when nothing is there. */
    synchronized Inode lookup(Path real) throws IOException {
        Path rel = relative(real);
        Inode at = root;
        if (rel.toString().isEmpty()) {
            return root;
        }
        for (Path name : rel) {
            if (at == null || !at.directory) {
                return null;
            }
            at = at.entries.get(name.toString());
        }
        return at;
    }

    private Inode parentOf(Path real) throws IOException {
        Inode parent = lookup(real.toAbsolutePath().normalize().getParent());
        if (parent == null || !parent.directory) {
            throw new IOException("no directory for " + real + " on the simulated disk");
        }
        return parent;
    }

    private static String nameOf(Path real) {
        return real.toAbsolutePath().normalize().getFileName().toString();
    }

    synchronized Inode created(Path real, boolean directory) throws IOException {
        Inode parent = parentOf(real);
        Inode inode = new Inode(directory);
        String name = nameOf(real);
        parent.entries.put(name, inode);
        parent.pendingEntries.add(Inode.EntryChange.add(name, inode));
        return inode;
    }

    synchronized void removed(Path real) throws IOException {
        Inode parent = parentOf(real);
        String name = nameOf(real);
        parent.entries.remove(name);
        parent.pendingEntries.add(Inode.EntryChange.remove(name));
    }

    synchronized void moved(Path from, Path to) throws IOException {
        Inode fromParent = parentOf(from);
        Inode toParent = parentOf(to);
        String fromName = nameOf(from);
        String toName = nameOf(to);
        Inode inode = fromParent.entries.remove(fromName);
        if (inode == null) {
            throw new IOException("moving " + from + ": not on the simulated disk");
        }
        if (inode.directory) {
            throw new UnsupportedOperationException("moving directories is not simulated: " + from);
        }
        toParent.entries.put(toName, inode);
        if (fromParent == toParent) {
            fromParent.pendingEntries.add(Inode.EntryChange.rename(fromName, toName, inode));
        } else {
            fromParent.pendingEntries.add(Inode.EntryChange.remove(fromName));
            toParent.pendingEntries.add(Inode.EntryChange.add(toName, inode));
        }
    }

    synchronized void linked(Path link, Path existing) throws IOException {
        Inode inode = lookup(existing);
        if (inode == null) {
            throw new IOException("linking to " + existing + ": not on the simulated disk");
        }
        Inode parent = parentOf(link);
        String name = nameOf(link);
        parent.entries.put(name, inode);
        parent.pendingEntries.add(Inode.EntryChange.add(name, inode));
    }

    // ----- contents --------------------------------------------------------------------------------------

    synchronized void wrote(Inode inode, long position, byte[] bytes) {
        if (bytes.length > 0) {
            inode.pending.add(new Inode.Write(position, bytes));
        }
    }

    synchronized void truncated(Inode inode, long size) {
        inode.pending.add(new Inode.Truncate(size));
    }

    /** A force of a file or a directory; does nothing when called from an ignored source line. */
    synchronized void forced(Inode inode, List<String> stack) {
        if (!stack.isEmpty()) {
            forceSites.add(stack.get(0));
        }
        for (String frame : stack) {
            if (ignoredForceSites.contains(frame)) {
                return;
            }
        }
        if (inode.directory) {
            inode.durableEntries = new TreeMap<>(inode.entries);
            inode.pendingEntries.clear();
        } else {
            byte[] content = inode.durable;
            for (Inode.FileChange change : inode.pending) {
                content = apply(content, change, change instanceof Inode.Write w ? w.bytes().length : 0);
            }
            inode.durable = content;
            inode.pending.clear();
        }
    }

    synchronized void ignoreForcesAt(String site) {
        ignoredForceSites.add(site);
    }

    synchronized Set<String> forceSites() {
        return new LinkedHashSet<>(forceSites);
    }

    // ----- after the power loss --------------------------------------------------------------------------

    /** Writes what survived into {@code target}, choosing the fate of every unforced change from {@code seed}. */
    synchronized PowerLossReport restore(long seed, Path target) throws IOException {
        crashed = true;
        Random random = new Random(seed);
        // One bias per crash, so some crashes keep nearly everything (like kill -9) and others almost nothing.
        double keep = random.nextInt(3) / 2.0;
        Survivors survivors = new Survivors(random, keep);
        Files.createDirectories(target);
        survivors.restoreDirectory(root, target);
        return survivors.report();
    }

    private static byte[] apply(byte[] content, Inode.FileChange change, int keptLength) {
        if (change instanceof Inode.Truncate t) {
            return t.size() < content.length ? Arrays.copyOf(content, (int) t.size()) : content;
        }
        Inode.Write w = (Inode.Write) change;
        long end = w.position() + keptLength;
        byte[] out = end > content.length ? Arrays.copyOf(content, Math.toIntExact(end)) : content;
        System.arraycopy(w.bytes(), 0, out, (int) w.position(), keptLength);
        return out;
    }

    /** The choices of one power loss. */
    private static final class Survivors {
        private final Random random;
        private final double keep;
        private final Map<Inode, byte[]> contents = new IdentityHashMap<>();
        private int writesKept;
        private int writesLost;
        private int writesTorn;
        private int writesZeroed;
        private int entriesKept;
        private int entriesLost;

        Survivors(Random random, double keep) {
            this.random = random;
            this.keep = keep;
        }

        void restoreDirectory(Inode dir, Path target) throws IOException {
            Map<String, Inode> entries = new TreeMap<>(dir.durableEntries);
            // The journal keeps directory changes in order: some prefix of them survives.
            int kept = keep >= 1 ? dir.pendingEntries.size()
                    : keep <= 0 ? 0 : random.nextInt(dir.pendingEntries.size() + 1);
            for (int i = 0; i < kept; i++) {
                dir.pendingEntries.get(i).applyTo(entries);
            }
            entriesKept += kept;
            entriesLost += dir.pendingEntries.size() - kept;
            for (Map.Entry<String, Inode> e : entries.entrySet()) {
                Path child = target.resolve(e.getKey());
                if (e.getValue().directory) {
                    Files.createDirectories(child);
                    restoreDirectory(e.getValue(), child);
                } else {
                    Files.write(child, contentOf(e.getValue()));
                }
            }
        }

        private byte[] contentOf(Inode file) {
            byte[] known = contents.get(file);
            if (known != null) {
                return known;
            }
            byte[] content = file.durable;
            for (Inode.FileChange change : file.pending) {
                content = survive(content, change);
            }
            contents.put(file, content);
            return content;
        }

        private byte[] survive(byte[] content, Inode.FileChange change) {
            if (random.nextDouble() < keep) {
                if (change instanceof Inode.Write) {
                    writesKept++;
                }
                return apply(content, change, change instanceof Inode.Write w ? w.bytes().length : 0);
            }
            if (change instanceof Inode.Truncate) {
                return content;
            }
            Inode.Write w = (Inode.Write) change;
            int length = w.bytes().length;
            long end = w.position() + length;
            // The write's 512-byte sectors, counted from the file's own sector boundaries: sector i covers
            // [bounds[i], bounds[i+1]) of the write.
            List<Integer> bounds = new ArrayList<>();
            for (long at = w.position(); at < end; at = (at / 512 + 1) * 512) {
                bounds.add((int) (at - w.position()));
            }
            bounds.add(length);
            int sectors = bounds.size() - 1;
            boolean[] reached = new boolean[sectors];
            long size = Math.max(content.length, end);
            switch (random.nextInt(5)) {
                case 0 -> {
                    writesLost++;
                    return content;
                }
                case 1 -> writesZeroed++; // the new size reached the disk, none of the data did
                case 2, 3 -> {
                    // Written in order up to a sector boundary; the rest never reached the disk, and neither did
                    // the new size (2) or it did (3).
                    int cut = random.nextInt(sectors);
                    Arrays.fill(reached, 0, cut, true);
                    if (random.nextBoolean()) {
                        size = Math.max(content.length, w.position() + bounds.get(cut));
                    }
                    writesTorn++;
                }
                default -> {
                    // Sectors reach the disk in any order.
                    for (int i = 0; i < sectors; i++) {
                        reached[i] = random.nextBoolean();
                    }
                    writesTorn++;
                }
            }
            // A sector that did not reach the disk holds what it held before: old bytes, or zeros past the old end.
            byte[] out = Arrays.copyOf(content, Math.toIntExact(size));
            for (int i = 0; i < sectors; i++) {
                if (reached[i]) {
                    System.arraycopy(w.bytes(), bounds.get(i), out, (int) w.position() + bounds.get(i),
                            bounds.get(i + 1) - bounds.get(i));
                }
            }
            return out;
        }

        PowerLossReport report() {
            return new PowerLossReport(keep, writesKept, writesLost, writesTorn, writesZeroed, entriesKept,
                    entriesLost);
        }
    }

    private static final Set<String> SIMULATION = Set.of(Disk.class.getName(), TrackedFileChannel.class.getName(),
            CrashFileSystemProvider.class.getName(), CrashFileSystem.class.getName(), CrashPath.class.getName());

    /** The source lines of the callers, nearest first, without the simulation's and the JDK's own frames. */
    static List<String> callerStack() {
        return StackWalker.getInstance().walk(frames -> {
            List<String> out = new ArrayList<>();
            frames.filter(f -> !SIMULATION.contains(f.getClassName())
                            && !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("sun.")
                            && !f.getClassName().startsWith("jdk."))
                    .limit(12)
                    .forEach(f -> out.add(f.getFileName() + ":" + f.getLineNumber()));
            return out;
        });
    }
}
