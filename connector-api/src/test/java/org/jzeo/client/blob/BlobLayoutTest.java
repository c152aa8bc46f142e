package org.jzeo.client.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File names as Python's ZEO (BlobCacheLayout) and ZODB (BushyLayout, tid_repr) write them. */
class BlobLayoutTest {
    @TempDir
    Path dir;

    @Test
    void zeoCacheNamesAreOidModulo997AndTheTidIn16HexDigits() {
        ZeoCacheLayout layout = new ZeoCacheLayout();
        assertThat(layout.fileOf(Oid.of(0), Tid.of(1))).isEqualTo(Path.of("0", "0.0000000000000001.blob"));
        assertThat(layout.fileOf(Oid.of(997 * 5 + 3), Tid.fromHex("03e1a2b3c4d5e6f7")))
                .isEqualTo(Path.of("3", "5.03e1a2b3c4d5e6f7.blob"));
        // u64: an oid with the top bit set is a large unsigned number, not a negative one
        assertThat(layout.folderOf(Oid.of(-1L))).isEqualTo(Path.of(Long.toUnsignedString(
                Long.remainderUnsigned(-1L, 997))));
    }

    @Test
    void bushyNamesAreOneFolderPerOidByteAndTheTidReprWithoutLeadingZeros() {
        BushyLayout layout = new BushyLayout();
        assertThat(layout.fileOf(Oid.of(0x2a), Tid.fromHex("03e1a2b3c4d5e6f7")))
                .isEqualTo(Path.of("0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x2a/0x03e1a2b3c4d5e6f7.blob"));
        assertThat(BushyLayout.tidRepr(Tid.fromHex("0000000000000001"))).isEqualTo("0x01");
        assertThat(BushyLayout.tidRepr(Tid.fromHex("0000000000000100"))).isEqualTo("0x0100");
        assertThat(BushyLayout.tidRepr(Tid.ZERO)).isEqualTo("0x00");
        assertThat(BushyLayout.tidRepr(Tid.fromHex("13e1a2b3c4d5e6f7"))).isEqualTo("0x13e1a2b3c4d5e6f7");
    }

    @Test
    void lawnNamesAreOneFolderPerOidRepr() throws Exception {
        assertThat(new LawnLayout().fileOf(Oid.of(0x2a), Tid.fromHex("0000000000000100")))
                .isEqualTo(Path.of("0x2a/0x0100.blob"));
        Files.writeString(dir.resolve(".layout"), "lawn\n");
        assertThat(BlobDirectory.serverLayout(dir)).isInstanceOf(LawnLayout.class);
        assertThat(BlobDirectory.serverLayout(dir.resolve("new"))).as("ZODB's default").isInstanceOf(BushyLayout.class);
    }

    @Test
    void aDirectoryOfAnotherLayoutIsRefused() throws Exception {
        BlobDirectory.open(dir, new BushyLayout());
        assertThat(Files.readString(dir.resolve(".layout"))).isEqualTo("bushy");
        assertThatThrownBy(() -> BlobDirectory.open(dir, new ZeoCacheLayout()))
                .hasMessageContaining("layout 'bushy', expected 'zeocache'");
    }
}
