package org.jzeo.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** Oids and tids travel where applications put them: HTTP sessions, remote EJB calls, JMS messages. */
class ValueTypesSerializableTest {

    private static Object copy(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    @Test
    void oidsAndTidsSurviveJavaSerialization() throws Exception {
        Oid oid = Oid.of(0x1234_5678_9abcL);
        Tid tid = Tid.of(0x03f1_2345_6789_abcdL);

        assertThat(copy(oid)).isEqualTo(oid).hasSameHashCodeAs(oid);
        assertThat(copy(tid)).isEqualTo(tid).hasSameHashCodeAs(tid);
        assertThat(((Oid) copy(oid)).compareTo(Oid.of(0x1234_5678_9abdL))).isNegative();
    }
}
