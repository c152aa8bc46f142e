package org.jzeo.testing.crashfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A file or a directory of the simulated disk, independent of its names (hard links and renames keep it).
 * A file knows its durable content (as of its last force) and the changes made since; a directory knows its
 * entries now, its durable entries (as of its last sync) and the entry changes made since.
 */
final class Inode {
    final boolean directory;
    /** Files: the bytes a power loss keeps for sure. */
    byte[] durable = new byte[0];
    /** Files: writes and truncations since the last force, in order. */
    final List<FileChange> pending = new ArrayList<>();
    /** Directories: the entries now. */
    final Map<String, Inode> entries = new TreeMap<>();
    /** Directories: the entries a power loss keeps for sure. */
    Map<String, Inode> durableEntries = new TreeMap<>();
    /** Directories: entry changes since the last sync, in order. */
    final List<EntryChange> pendingEntries = new ArrayList<>();

    Inode(boolean directory) {
        this.directory = directory;
    }

    /** A change to a file's bytes not yet forced. */
    sealed interface FileChange permits Write, Truncate {
    }

    record Write(long position, byte[] bytes) implements FileChange {
    }

    record Truncate(long size) implements FileChange {
    }

    /**
     * A change to a directory's entries not yet synced: after {@code removed} go away, {@code added} appear. A
     * rename inside one directory is one change, so a power loss keeps both halves or neither.
     */
    record EntryChange(List<String> removed, Map<String, Inode> added) {
        static EntryChange add(String name, Inode inode) {
            Map<String, Inode> added = new LinkedHashMap<>();
            added.put(name, inode);
            return new EntryChange(List.of(), added);
        }

        static EntryChange remove(String name) {
            return new EntryChange(List.of(name), Map.of());
        }

        static EntryChange rename(String from, String to, Inode inode) {
            Map<String, Inode> added = new LinkedHashMap<>();
            added.put(to, inode);
            return new EntryChange(List.of(from), added);
        }

        void applyTo(Map<String, Inode> target) {
            removed.forEach(target::remove);
            target.putAll(added);
        }
    }

    List<FileChange> pendingCopy() {
        return new ArrayList<>(pending);
    }
}
