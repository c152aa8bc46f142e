package org.jzeo.testing.crashfs;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** Routes the operations on {@link CrashPath}s to the real provider and tells the {@link Disk} what changed. */
final class CrashFileSystemProvider extends FileSystemProvider {
    static final String SCHEME = "crashfs";

    private final CrashFileSystem fs;
    private final FileSystemProvider real;
    private final Disk disk;

    CrashFileSystemProvider(CrashFileSystem fs, FileSystemProvider real, Disk disk) {
        this.fs = fs;
        this.real = real;
        this.disk = disk;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("use CrashFileSystem.over(folder)");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("use CrashFileSystem.over(folder)");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("use CrashFileSystem.root()");
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        Path p = fs.real(path);
        synchronized (disk) {
            boolean exists = Files.exists(p, LinkOption.NOFOLLOW_LINKS);
            boolean writes = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
            boolean creates = writes && (options.contains(StandardOpenOption.CREATE_NEW)
                    || (options.contains(StandardOpenOption.CREATE) && !exists));
            boolean truncates = writes && exists && options.contains(StandardOpenOption.TRUNCATE_EXISTING)
                    && !options.contains(StandardOpenOption.CREATE_NEW);
            if (creates || truncates) {
                disk.beforeMutation(creates ? "create " + p : "truncate " + p);
            }
            FileChannel channel = real.newFileChannel(p, options, attrs);
            try {
                Inode inode = creates ? disk.created(p, false) : disk.lookup(p);
                if (inode == null) {
                    throw new IOException(p + " exists on the real disk but not on the simulated one");
                }
                if (truncates && channel.size() > 0) {
                    disk.truncated(inode, 0);
                }
                return new TrackedFileChannel(disk, inode, channel, options.contains(StandardOpenOption.APPEND));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                              FileAttribute<?>... attrs) throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        DirectoryStream<Path> stream = real.newDirectoryStream(fs.real(dir), p -> filter.accept(fs.wrap(p)));
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                Iterator<Path> it = stream.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Path next() {
                        return fs.wrap(it.next());
                    }
                };
            }

            @Override
            public void close() throws IOException {
                stream.close();
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        Path p = fs.real(dir);
        synchronized (disk) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString());
            }
            disk.beforeMutation("mkdir " + p);
            real.createDirectory(p, attrs);
            disk.created(p, true);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Path p = fs.real(path);
        synchronized (disk) {
            disk.beforeMutation("delete " + p);
            real.delete(p);
            disk.removed(p);
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        Path from = fs.real(source);
        Path to = fs.real(target);
        synchronized (disk) {
            byte[] bytes = Files.readAllBytes(from);
            boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
            if (Files.exists(to, LinkOption.NOFOLLOW_LINKS) && !replace) {
                throw new FileAlreadyExistsException(to.toString());
            }
            disk.beforeMutation("copy " + from + " to " + to);
            real.copy(from, to, options);
            Inode inode = disk.created(to, false);
            disk.wrote(inode, 0, bytes);
        }
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        Path from = fs.real(source);
        Path to = fs.real(target);
        synchronized (disk) {
            disk.beforeMutation("rename " + from + " to " + to);
            real.move(from, to, options);
            disk.moved(from, to);
        }
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        Path l = fs.real(link);
        Path e = fs.real(existing);
        synchronized (disk) {
            disk.beforeMutation("link " + l + " to " + e);
            real.createLink(l, e);
            disk.linked(l, e);
        }
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return real.isSameFile(fs.real(path), fs.real(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return real.isHidden(fs.real(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        return real.getFileStore(fs.real(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        real.checkAccess(fs.real(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return real.getFileAttributeView(fs.real(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return real.readAttributes(fs.real(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        return real.readAttributes(fs.real(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        real.setAttribute(fs.real(path), attribute, value, options);
    }
}
