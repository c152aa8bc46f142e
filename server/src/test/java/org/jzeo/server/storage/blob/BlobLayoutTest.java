package org.jzeo.server.storage.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.jzeo.api.Oid;
import org.jzeo.api.Tid;
import org.junit.jupiter.api.Test;

/** The names ZODB's blob.py and utils.oid_repr/tid_repr give (checked against ZODB 5.8.1). */
class BlobLayoutTest {
    private static final Path ROOT = Path.of("/blobs");

    @Test
    void reprStripsLeadingZerosAndPadsToAnEvenNumberOfDigits() {
        assertThat(BlobLayout.repr(0)).isEqualTo("0x00");
        assertThat(BlobLayout.repr(1)).isEqualTo("0x01");
        assertThat(BlobLayout.repr(0xabc)).isEqualTo("0x0abc");
        assertThat(BlobLayout.repr(0x1000)).isEqualTo("0x1000");
        assertThat(BlobLayout.repr(0x040d8327278a6155L)).isEqualTo("0x040d8327278a6155");
        assertThat(BlobLayout.repr(-1L)).isEqualTo("0xffffffffffffffff");
    }

    @Test
    void aRevisionsFileIsTheTidReprWithBlobSuffix() {
        assertThat(BlobLayout.fileName(Tid.of(0x03ea4f1e2d3c4b5aL))).isEqualTo("0x03ea4f1e2d3c4b5a.blob");
        assertThat(BlobLayout.fileName(Tid.of(0x12))).isEqualTo("0x12.blob");
    }

    @Test
    void bushyHasOneFolderPerOidByteBigEndian() {
        assertThat(BlobLayout.BUSHY.oidFolder(ROOT, Oid.of(1)))
                .isEqualTo(Path.of("/blobs/0x00/0x00/0x00/0x00/0x00/0x00/0x00/0x01"));
        assertThat(BlobLayout.BUSHY.oidFolder(ROOT, Oid.of(0x0102030405060a0bL)))
                .isEqualTo(Path.of("/blobs/0x01/0x02/0x03/0x04/0x05/0x06/0x0a/0x0b"));
        assertThat(BlobLayout.BUSHY.oidFolder(ROOT, Oid.of(-1L)))
                .isEqualTo(Path.of("/blobs/0xff/0xff/0xff/0xff/0xff/0xff/0xff/0xff"));
    }

    @Test
    void lawnHasOneFolderPerOidNamedByItsRepr() {
        assertThat(BlobLayout.LAWN.oidFolder(ROOT, Oid.of(0))).isEqualTo(Path.of("/blobs/0x00"));
        assertThat(BlobLayout.LAWN.oidFolder(ROOT, Oid.of(0x1f4))).isEqualTo(Path.of("/blobs/0x01f4"));
    }

    @Test
    void markersNameTheLayouts() {
        assertThat(BlobLayout.named("bushy\n")).isEqualTo(BlobLayout.BUSHY);
        assertThat(BlobLayout.named("lawn")).isEqualTo(BlobLayout.LAWN);
        assertThatThrownBy(() -> BlobLayout.named("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFileNameGivesBackItsTid() {
        assertThat(PackedBlobRemoval.tidOf("0x12.blob")).isEqualTo(Tid.of(0x12));
        assertThat(PackedBlobRemoval.tidOf(BlobLayout.fileName(Tid.of(0x040d8327278a6155L))))
                .isEqualTo(Tid.of(0x040d8327278a6155L));
        assertThat(PackedBlobRemoval.tidOf("upload.tmp")).isNull();
        assertThat(PackedBlobRemoval.tidOf("0x12.blob.partial")).isNull();
        assertThat(PackedBlobRemoval.tidOf("0xzz.blob")).isNull();
    }
}
