package org.jzeo.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jzeo.api.ConflictException;
import org.jzeo.api.DisconnectedException;
import org.jzeo.api.Oid;
import org.jzeo.api.POSKeyException;
import org.jzeo.api.ReadConflictException;
import org.jzeo.api.ReadOnlyException;
import org.jzeo.api.StorageException;
import org.jzeo.api.StorageTransactionException;
import org.jzeo.api.Tid;
import org.jzeo.api.UndoException;
import org.junit.jupiter.api.Test;

class WireErrorsTest {
    private static final MessageCodec CODEC = new MessageCodec();
    private static final Oid OID1 = Oid.of(1);
    private static final Tid COMMITTED = Tid.fromHex("040d2d5a29bca144");
    private static final Tid READ = Tid.fromHex("040d2d5a264d4500");

    // ---------------------------------------------------------------- server: Java → wire

    @Test
    void conflictErrorIsTheFourKeyMapInPythonsOrder() {
        WireError error = WireErrors.toWire(new ConflictException(OID1, COMMITTED, READ),
                "persistent.mapping.PersistentMapping");
        assertThat(error.className()).isEqualTo("ZODB.POSException.ConflictError");
        assertThat(error.hasAttributeMap()).isTrue();
        Map<?, ?> map = (Map<?, ?>) error.excArgs();
        assertThat(map.keySet().toArray()).containsExactly("message", "oid", "class_name", "serials");
        assertThat(map.get("message")).isEqualTo("database conflict error");
        assertThat((byte[]) map.get("oid")).isEqualTo(OID1.toBytes());
        assertThat(map.get("class_name")).isEqualTo("persistent.mapping.PersistentMapping");
        List<?> serials = (List<?>) map.get("serials");
        assertThat((byte[]) serials.get(0)).isEqualTo(COMMITTED.toBytes());
        assertThat((byte[]) serials.get(1)).isEqualTo(READ.toBytes());

        // Byte for byte the reply of spec §13 (B's conflict, msgid 3).
        assertThat(WireVectors.hex(CODEC.encodeError(MessageId.of(3L), error))).isEqualTo(
                "940302a62e7265706c7992bf5a4f44422e504f53457863657074696f6e2e436f6e666c6963744572726f72"
                + "84a76d657373616765b7646174616261736520636f6e666c696374206572726f72"
                + "a36f6964c4080000000000000001"
                + "aa636c6173735f6e616d65d92470657273697374656e742e6d617070696e672e50657273697374656e744d617070696e67"
                + "a773657269616c7392c408040d2d5a29bca144c408040d2d5a264d4500");
    }

    @Test
    void conflictWithoutClassNameSendsNilAndAnUnknownCommittedSerialIsNil() {
        Map<?, ?> map = (Map<?, ?>) WireErrors.toWire(new ConflictException(OID1, null, READ)).excArgs();
        assertThat(map.keySet().toArray()).containsExactly("message", "oid", "class_name", "serials");
        assertThat(map.get("class_name")).isNull();
        assertThat(((List<?>) map.get("serials")).get(0)).isNull();
        Map<?, ?> noSerials = (Map<?, ?>) WireErrors.toWire(new ConflictException("x", null, null, null)).excArgs();
        assertThat(noSerials.get("serials")).isNull();
        assertThat(noSerials.get("oid")).isNull();
        assertThat(noSerials.get("message")).isEqualTo("x");
    }

    @Test
    void aCustomConflictMessageKeepsItsTextButNotTheJavaDetails() {
        ConflictException e = new ConflictException("lock wait timed out (oid 0000000000000001)", OID1, null, READ);
        assertThat(((Map<?, ?>) WireErrors.toWire(e).excArgs()).get("message")).isEqualTo("lock wait timed out");
    }

    @Test
    void readConflictErrorHasTheSameMapAndItsOwnMessage() {
        WireError error = WireErrors.toWire(new ReadConflictException(OID1, COMMITTED, READ));
        assertThat(error.className()).isEqualTo("ZODB.POSException.ReadConflictError");
        Map<?, ?> map = (Map<?, ?>) error.excArgs();
        assertThat(map.keySet().toArray()).containsExactly("message", "oid", "class_name", "serials");
        assertThat(map.get("message")).isEqualTo("database read conflict error");
        assertThat(map.get("class_name")).isNull();
    }

    @Test
    void aTransientErrorIsTheTransactionPackagesRetryableErrorBothWays() {
        WireError error = WireErrors.toWire(new org.jzeo.api.TransientStorageException(
                "PostgreSQL at jdbc:postgresql://db1:5432/zodb is unavailable"));
        assertThat(error).isEqualTo(new WireError("transaction.interfaces.TransientError",
                List.of("PostgreSQL at jdbc:postgresql://db1:5432/zodb is unavailable")));

        StorageException back = WireErrors.fromWire(error.className(), error.excArgs());
        assertThat(back).isInstanceOf(org.jzeo.api.TransientStorageException.class)
                .hasMessageContaining("PostgreSQL at jdbc:postgresql://db1:5432/zodb is unavailable");
        assertThat(back.isRetryable()).isTrue();
    }

    @Test
    void posKeyErrorCarriesTheOid() {
        WireError error = WireErrors.toWire(new POSKeyException(Oid.of(0x777)));
        assertThat(error.className()).isEqualTo("ZODB.POSException.POSKeyError");
        assertThat((List<?>) error.excArgs()).hasSize(1);
        assertThat((byte[]) ((List<?>) error.excArgs()).get(0)).isEqualTo(Oid.of(0x777).toBytes());
        assertThat(WireErrors.toWire(new POSKeyException(null, "no oid")).excArgs())
                .as("POSKeyError(None), as MappingStorage answers history(None)").isEqualTo(java.util.Arrays.asList((Object) null));
    }

    @Test
    void readOnlyStorageTransactionAndTheTransactionMismatchShape() {
        assertThat(WireErrors.toWire(new ReadOnlyException("read only")))
                .isEqualTo(new WireError("ZODB.POSException.ReadOnlyError", List.of()));
        assertThat(WireErrors.toWire(new StorageTransactionException("Already voting")))
                .isEqualTo(new WireError("ZODB.POSException.StorageTransactionError", List.of("Already voting")));
        // errors-M5: vote(1111) without tpc_begin → [nil, 1111].
        assertThat(WireVectors.hex(CODEC.encodeError(MessageId.of(5L), WireErrors.transactionMismatch(1111L))))
                .isEqualTo("940502a62e7265706c7992d9295a4f44422e504f53457863657074696f6e2e53746f726167655472616e"
                        + "73616374696f6e4572726f7292c0cd0457");
    }

    @Test
    void aSingleObjectUndoFailureIsSentAsMultipleUndoErrorsExactlyAsCaptured() throws Exception {
        UndoException e = new UndoException("Can't undo an add transaction followed by conflicting transactions.",
                OID1);
        byte[] encoded = CODEC.encodeError(MessageId.of(17L), WireErrors.toWire(e));
        // undo-M5 conn1, the vote reply of the impossible undo.
        WireVectors.Connection undo = WireVectors.connections().stream()
                .filter(c -> c.scenario().equals("undo-M5") && c.number() == 1).findFirst().orElseThrow();
        byte[] captured = WireVectors.frames(undo.s2cBytes()).stream().map(WireVectors.Frame::payload)
                .filter(p -> WireVectors.hex(p).startsWith("941102")).findFirst().orElseThrow();
        assertThat(WireVectors.hex(encoded)).isEqualTo(WireVectors.hex(captured));
    }

    @Test
    void severalUndoFailuresListEveryOneAndRepeatTheFirstInTheOddFields() {
        UndoException e = UndoException.of(List.of(new UndoException("first", OID1),
                new UndoException("second", Oid.of(2))));
        WireError error = WireErrors.toWire(e);
        assertThat(error.className()).isEqualTo("ZODB.POSException.MultipleUndoErrors");
        Map<?, ?> map = (Map<?, ?>) error.excArgs();
        assertThat(map.keySet().toArray()).containsExactly("_reason", "_oid", "_errs");
        assertThat((byte[]) map.get("_reason")).isEqualTo(OID1.toBytes());
        assertThat(((List<?>) map.get("_oid")).get(0)).isEqualTo("ZODB.POSException.UndoError");
        List<?> errs = (List<?>) map.get("_errs");
        assertThat(errs).hasSize(2);
        List<?> second = (List<?>) errs.get(1);
        assertThat((byte[]) second.get(0)).isEqualTo(Oid.of(2).toBytes());
        Map<?, ?> attributes = (Map<?, ?>) ((List<?>) second.get(1)).get(1);
        assertThat(attributes.keySet().toArray()).containsExactly("_reason", "_oid");
        assertThat(attributes.get("_reason")).isEqualTo("second");
    }

    @Test
    void aTransactionLevelUndoFailureIsAPlainUndoError() {
        WireError error = WireErrors.toWire(new UndoException("Invalid transaction id", null));
        assertThat(error.className()).isEqualTo("ZODB.POSException.UndoError");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("_reason", "Invalid transaction id");
        expected.put("_oid", null);
        assertThat(error.excArgs()).isEqualTo(expected);
    }

    @Test
    void typeErrorsValueErrorsAndTheFallbacks() {
        assertThat(WireErrors.toWire(new WireTypeException("history", 0, "bin (8 bytes, oid)", "missing")))
                .isEqualTo(new WireError("builtins.TypeError",
                        List.of("history() argument 0: expected bin (8 bytes, oid), got missing")));
        assertThat(WireErrors.toWire(new IllegalArgumentException("unknown storage: nope")))
                .isEqualTo(new WireError("builtins.ValueError", List.of("unknown storage: nope")));
        assertThat(WireErrors.toWire(new WireEncodingException("no msgpack encoding")).className())
                .isEqualTo("builtins.ValueError");
        assertThat(WireErrors.toWire(new UnsupportedOperationException("undo"))).isEqualTo(
                new WireError("builtins.NotImplementedError", List.of("undo")));
        assertThat(WireErrors.toWire(new IOException("disk full")).className()).isEqualTo("builtins.OSError");
        assertThat(WireErrors.toWire(new UncheckedIOException(new IOException("x"))).className())
                .isEqualTo("builtins.OSError");
        assertThat(WireErrors.toWire(new StorageException("broken file")))
                .isEqualTo(new WireError("ZODB.POSException.StorageError", List.of("broken file")));
        assertThat(WireErrors.toWire(new DisconnectedException("gone")).className())
                .isEqualTo("ZODB.POSException.StorageError");
        assertThat(WireErrors.toWire(new NullPointerException("boom")))
                .isEqualTo(new WireError("builtins.Exception", List.of("java.lang.NullPointerException: boom")));
        assertThat(WireErrors.toWire(new IllegalStateException()))
                .isEqualTo(new WireError("builtins.Exception", List.of("java.lang.IllegalStateException")));
        assertThat(WireErrors.unencodableResult())
                .isEqualTo(new WireError("builtins.ValueError", List.of("Couldn't pickle response")));
    }

    @Test
    void routineOutcomesAreNotFailures() {
        assertThat(WireErrors.isRoutine(new POSKeyException(OID1))).isTrue();
        assertThat(WireErrors.isRoutine(new ConflictException(OID1, COMMITTED, READ))).isTrue();
        assertThat(WireErrors.isRoutine(new ReadConflictException(OID1, COMMITTED, READ))).isTrue();
        assertThat(WireErrors.isRoutine(new ReadOnlyException("ro"))).isFalse();
        assertThat(WireErrors.isRoutine(new IllegalStateException())).isFalse();
    }

    // ---------------------------------------------------------------- client: wire → Java

    @Test
    void conflictErrorBecomesAConflictException() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("message", "database conflict error");
        map.put("oid", OID1.toBytes());
        map.put("class_name", "persistent.mapping.PersistentMapping");
        map.put("serials", List.of(COMMITTED.toBytes(), READ.toBytes()));
        StorageException e = WireErrors.fromWire("ZODB.POSException.ConflictError", map);
        assertThat(e).isExactlyInstanceOf(ConflictException.class);
        ConflictException conflict = (ConflictException) e;
        assertThat(conflict.oid()).isEqualTo(OID1);
        assertThat(conflict.committedSerial()).isEqualTo(COMMITTED);
        assertThat(conflict.readSerial()).isEqualTo(READ);
        assertThat(conflict.isRetryable()).isTrue();
        assertThat(conflict.getMessage()).startsWith("database conflict error (oid 0000000000000001")
                .contains("persistent.mapping.PersistentMapping");
    }

    @Test
    void readConflictAndBTreesConflict() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("message", "database read conflict error");
        map.put("oid", OID1.toBytes());
        map.put("class_name", null);
        map.put("serials", List.of(COMMITTED.toBytes(), READ.toBytes()));
        assertThat(WireErrors.fromWire("ZODB.POSException.ReadConflictError", map))
                .isExactlyInstanceOf(ReadConflictException.class);
        Map<String, Object> btrees = new LinkedHashMap<>(map);
        btrees.put("message", "BTrees conflict error");
        btrees.put("reason", 5L);
        StorageException e = WireErrors.fromWire("ZODB.POSException.BTreesConflictError", btrees);
        assertThat(e).isExactlyInstanceOf(ConflictException.class).hasMessageContaining("BTrees conflict error: 5");
    }

    @Test
    void posKeyReadOnlyAndStorageTransactionErrors() {
        StorageException posKey = WireErrors.fromWire("ZODB.POSException.POSKeyError", List.of(OID1.toBytes()));
        assertThat(posKey).isExactlyInstanceOf(POSKeyException.class);
        assertThat(((POSKeyException) posKey).oid()).isEqualTo(OID1);
        StorageException oddPosKey = WireErrors.fromWire("ZODB.POSException.POSKeyError", List.of("key"));
        assertThat(((POSKeyException) oddPosKey).oid()).isNull();
        assertThat(oddPosKey).hasMessageContaining("key");

        assertThat(WireErrors.fromWire("ZODB.POSException.ReadOnlyError", List.of()))
                .isExactlyInstanceOf(ReadOnlyException.class);
        assertThat(WireErrors.fromWire("ZODB.POSException.StorageTransactionError", Arrays.asList(null, 1111L)))
                .isExactlyInstanceOf(StorageTransactionException.class).hasMessageContaining("(None, 1111)");
    }

    @Test
    void undoErrorsBecomeUndoExceptions() {
        Map<String, Object> single = new LinkedHashMap<>();
        single.put("_reason", "Invalid transaction id");
        single.put("_oid", null);
        StorageException plain = WireErrors.fromWire("ZODB.POSException.UndoError", single);
        assertThat(plain).isExactlyInstanceOf(UndoException.class).hasMessage("Invalid transaction id");

        UndoException two = UndoException.of(List.of(new UndoException("first", OID1),
                new UndoException("second", Oid.of(2))));
        WireError wire = WireErrors.toWire(two);
        UndoException back = (UndoException) WireErrors.fromWire(wire.className(), wire.excArgs());
        assertThat(back.isMultiple()).isTrue();
        assertThat(back.errorsByOid()).isEqualTo(two.errorsByOid());
    }

    @Test
    void unknownNamesAndOddShapesBecomeServerExceptions() {
        StorageException e = WireErrors.fromWire("builtins.ValueError", List.of("unknown storage: nope"));
        assertThat(e).isExactlyInstanceOf(ServerException.class)
                .hasMessage("builtins.ValueError: unknown storage: nope");
        ServerException server = (ServerException) e;
        assertThat(server.className()).isEqualTo("builtins.ValueError");
        assertThat(server.excArgs()).isEqualTo(List.of("unknown storage: nope"));
        assertThat(server.firstArgument()).isEqualTo("unknown storage: nope");
        assertThat(server.isRetryable()).isFalse();

        // A known name with a shape the Python client could not rebuild either.
        assertThat(WireErrors.fromWire("ZODB.POSException.ConflictError", List.of("x")))
                .isExactlyInstanceOf(ServerException.class);
        assertThat(WireErrors.fromWire("ZODB.POSException.MultipleUndoErrors", Map.of("x", 1L)))
                .isExactlyInstanceOf(ServerException.class);
        assertThat(WireErrors.fromWire("some.Other", Map.of("a", OID1.toBytes())))
                .hasMessage("some.Other: {'a': 0x0000000000000001}");
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void everyMappedExceptionSurvivesServerToClientToServer() throws Exception {
        List<Throwable> errors = List.of(
                new ConflictException(OID1, COMMITTED, READ),
                new ConflictException(OID1, null, READ),
                new ReadConflictException(OID1, COMMITTED, READ),
                new POSKeyException(Oid.of(42)),
                new ReadOnlyException("read-only"),
                new StorageTransactionException("Already voting"),
                new UndoException("Invalid transaction id", null),
                new UndoException("non-undoable", OID1),
                UndoException.of(List.of(new UndoException("a", OID1), new UndoException("b", Oid.of(2)))),
                new WireTypeException("loadBefore", 1, "bin (8 bytes, tid)", "str"),
                new IllegalArgumentException("unknown storage: x"),
                new StorageException("broken"),
                new RuntimeException("internal"));
        for (Throwable original : errors) {
            WireError sent = WireErrors.toWire(original);
            byte[] frame = CODEC.encodeError(MessageId.of(9L), sent);
            WireMessage received = CODEC.decode(frame);
            StorageException rebuilt = WireErrors.fromWire(received);
            if (original instanceof StorageException && original.getClass() != StorageException.class) {
                assertThat(rebuilt).as("%s", original).isExactlyInstanceOf(original.getClass());
            } else {
                // StorageError, TypeError, ValueError, Exception: no specific class, but still a StorageException.
                assertThat(rebuilt).as("%s", original).isExactlyInstanceOf(ServerException.class);
            }
            if (original instanceof ConflictException) {
                ConflictException c = (ConflictException) original;
                ConflictException r = (ConflictException) rebuilt;
                assertThat(r.oid()).isEqualTo(c.oid());
                assertThat(r.committedSerial()).isEqualTo(c.committedSerial());
                assertThat(r.readSerial()).isEqualTo(c.readSerial());
            }
            if (original instanceof POSKeyException) {
                assertThat(((POSKeyException) rebuilt).oid()).isEqualTo(((POSKeyException) original).oid());
            }
            if (original instanceof UndoException) {
                assertThat(((UndoException) rebuilt).errorsByOid())
                        .isEqualTo(((UndoException) original).errorsByOid());
            }
            // And sent on again by a relay: the same bytes.
            assertThat(CODEC.encodeError(MessageId.of(9L), WireErrors.toWire(rebuilt)))
                    .as("%s relayed", original).isEqualTo(frame);
        }
    }
}
