package org.jzeo.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.jzeo.objects.codec.ObjectCodec;
import org.jzeo.objects.evolution.Customer;
import org.junit.jupiter.api.Test;

/** States written by an earlier version of a class (kept as resources) still read with today's version. */
class ClassEvolutionTest {
    private final ObjectCodec codec = new ObjectCodec(ObjectTypes.of(Customer.class, Customer.Status.class,
            Customer.Address.class, Customer.Remark.class).resolver());

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = ClassEvolutionTest.class.getResourceAsStream("/object-states/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aRecordOfTheRenamedClassLoadsWithRenamedAddedRemovedAndWidenedFields() throws Exception {
        byte[] old = resource("client-v1.state");

        assertThat(codec.classOf(old, "client-v1")).isEqualTo(Customer.class);
        Customer c = new Customer();
        codec.decodeInto(c, old, new ObjectCodecTest.Oids(), "client-v1");

        assertThat(c.name).isEqualTo("Ada Lovelace");
        assertThat(c.balanceCents).isEqualTo(123_456L);
        assertThat(c.email).as("a field added since keeps its initial value").isEqualTo("unknown");
        assertThat(c.status).isEqualTo(Customer.Status.CLOSED);
        assertThat(c.address.street).isEqualTo("1 Old Road");
        assertThat(c.address.postcode).isEqualTo("12345");
        assertThat(c.address.country).isEqualTo("UK");
        assertThat(c.notes).containsExactly(new Customer.Remark("pays late", 2L, null));
    }

    @Test
    void writingItAgainUsesTheNewNamesOnly() throws Exception {
        Customer c = new Customer();
        ObjectCodecTest.Oids oids = new ObjectCodecTest.Oids();
        codec.decodeInto(c, resource("client-v1.state"), oids, "client-v1");

        String rewritten = new String(codec.encode(c, oids), java.nio.charset.StandardCharsets.ISO_8859_1);

        assertThat(rewritten).contains("org.jzeo.objects.evolution.Customer", "postcode", "rating")
                .doesNotContain("Client", "fullName", "fax", "zip", "stars");
    }
}
