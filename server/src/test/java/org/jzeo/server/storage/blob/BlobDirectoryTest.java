package org.jzeo.server.storage.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jzeo.api.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a blob directory chooses its layout as ZODB's auto_layout_select does, and creates what ZODB creates. */
class BlobDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDirectoryIsBushyWithItsMarkerAndTmpFolder() throws Exception {
        BlobDirectory dir = BlobDirectory.open(tmp.resolve("var/blobs"), false, true);

        assertThat(dir.layout()).isEqualTo(BlobLayout.BUSHY);
        assertThat(Files.readString(tmp.resolve("var/blobs/.layout"))).isEqualTo("bushy");
        assertThat(dir.temporaryDirectory()).isEqualTo(tmp.resolve("var/blobs/tmp")).isDirectory();
    }

    @Test
    void anEmptyDirectoryOrOneWithOnlyHiddenNamesIsBushy() throws Exception {
        Files.createDirectories(tmp.resolve("blobs"));
        Files.writeString(tmp.resolve("blobs/.hidden"), "x");

        assertThat(BlobDirectory.open(tmp.resolve("blobs"), false, true).layout()).isEqualTo(BlobLayout.BUSHY);
    }

    @Test
    void aUsedDirectoryWithoutMarkerIsLawnAndGetsALawnMarker() throws Exception {
        Files.createDirectories(tmp.resolve("blobs/0x01"));

        assertThat(BlobDirectory.open(tmp.resolve("blobs"), false, true).layout()).isEqualTo(BlobLayout.LAWN);
        assertThat(Files.readString(tmp.resolve("blobs/.layout"))).isEqualTo("lawn");
    }

    @Test
    void theMarkerDecides() throws Exception {
        Files.createDirectories(tmp.resolve("blobs"));
        Files.writeString(tmp.resolve("blobs/.layout"), "lawn\n");

        assertThat(BlobDirectory.open(tmp.resolve("blobs"), false, true).layout()).isEqualTo(BlobLayout.LAWN);
        assertThat(Files.readString(tmp.resolve("blobs/.layout"))).as("left as it was").isEqualTo("lawn\n");
    }

    @Test
    void anUnknownMarkerOrAMissingReadOnlyDirectoryIsRefused() throws Exception {
        Files.createDirectories(tmp.resolve("blobs"));
        Files.writeString(tmp.resolve("blobs/.layout"), "tree");

        assertThatThrownBy(() -> BlobDirectory.open(tmp.resolve("blobs"), false, true))
                .isInstanceOf(StorageException.class).hasMessageContaining("'tree'");
        assertThatThrownBy(() -> BlobDirectory.open(tmp.resolve("missing"), true, true))
                .isInstanceOf(StorageException.class).hasMessageContaining("does not exist");
        assertThat(tmp.resolve("missing")).doesNotExist();
    }

    @Test
    void aRelativeDirectoryIsResolvedAgainstTheWorkingDirectory() throws Exception {
        Path relative = Path.of("target", "blob-dir-test-" + ProcessHandle.current().pid());
        try {
            BlobDirectory dir = BlobDirectory.open(relative, false, false);
            assertThat(dir.root()).isEqualTo(relative.toAbsolutePath());
        } finally {
            BlobDirectory.removeAll(relative);
        }
    }
}
