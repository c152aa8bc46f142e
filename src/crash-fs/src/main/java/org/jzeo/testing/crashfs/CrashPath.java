package org.jzeo.testing.crashfs;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/** A path of a {@link CrashFileSystem}: a real path that routes every file operation through the simulation. */
final class CrashPath implements Path {
    private final CrashFileSystem fs;
    private final Path real;

    CrashPath(CrashFileSystem fs, Path real) {
        this.fs = fs;
        this.real = real;
    }

    Path real() {
        return real;
    }

    private Path wrap(Path p) {
        return p == null ? null : new CrashPath(fs, p);
    }

    private Path unwrap(Path other) {
        if (other instanceof CrashPath c) {
            return c.real;
        }
        return real.getFileSystem().getPath(other.toString());
    }

    @Override
    public CrashFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return real.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(real.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(real.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(real.getParent());
    }

    @Override
    public int getNameCount() {
        return real.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(real.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(real.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return other.getFileSystem() == fs && real.startsWith(unwrap(other));
    }

    @Override
    public boolean endsWith(Path other) {
        return other.getFileSystem() == fs && real.endsWith(unwrap(other));
    }

    @Override
    public Path normalize() {
        return wrap(real.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(real.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(real.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
        try {
            return new URI(CrashFileSystemProvider.SCHEME, null, real.toAbsolutePath().toString(), null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Path toAbsolutePath() {
        return wrap(real.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws java.io.IOException {
        return wrap(real.toRealPath(options));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("watching is not simulated");
    }

    @Override
    public int compareTo(Path other) {
        return real.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CrashPath c && c.fs == fs && c.real.equals(real);
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(fs), real);
    }

    @Override
    public String toString() {
        return real.toString();
    }
}
