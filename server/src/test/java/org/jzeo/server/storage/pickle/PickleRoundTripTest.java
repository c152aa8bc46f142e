package org.jzeo.server.storage.pickle;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link PickleWriter} then {@link PickleReader} gives back the same dict, up to the documented type mapping. */
class PickleRoundTripTest {

    @Test
    void everySupportedType() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("a", List.of(1, 2, 3));
        nested.put("deeper", Map.of("x", new Object[] {"t", 1.5, null}));
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("str", "h\u00e9llo \ud83d\ude00");
        dict.put("empty", "");
        dict.put("bytes", new byte[] {0, -1, 2});
        dict.put("bigbytes", new byte[70_000]);
        dict.put("int", 42);
        dict.put("long", Long.MIN_VALUE);
        dict.put("big", BigInteger.TEN.pow(40).negate());
        dict.put("double", Math.PI);
        dict.put("nan", Double.NaN);
        dict.put("float", 0.5f);
        dict.put("true", true);
        dict.put("false", false);
        dict.put("none", null);
        dict.put("list", List.of("a", List.of()));
        dict.put("tuple", new Object[] {1, 2, 3, 4, 5});
        dict.put("nested", nested);

        Map<String, Object> back = PickleReader.unpickleDict(PickleWriter.pickleDict(dict));

        assertThat(back.keySet()).as("order").containsExactlyElementsOf(dict.keySet());
        assertThat(normalize(back)).isEqualTo(normalize(dict));
    }

    @Test
    void randomDicts() {
        Random random = new Random(20240607L);
        for (int i = 0; i < 300; i++) {
            Map<String, Object> dict = new LinkedHashMap<>();
            int size = random.nextInt(6);
            for (int k = 0; k < size; k++) {
                dict.put(randomString(random), randomValue(random, 3));
            }

            byte[] pickle = PickleWriter.pickleDict(dict);
            Map<String, Object> back = PickleReader.unpickleDict(pickle);

            assertThat(normalize(back))
                    .as("round trip #%d of %s via %s", i, dict, HexFormat.of().formatHex(pickle))
                    .isEqualTo(normalize(dict));
        }
    }

    private static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 12 : 9);
        return switch (kind) {
            case 0 -> randomString(random);
            case 1 -> randomBytes(random);
            case 2 -> random.nextInt();
            case 3 -> random.nextLong() >> random.nextInt(64);
            case 4 -> new BigInteger(1 + random.nextInt(200), random).subtract(BigInteger.ONE.shiftLeft(100));
            case 5 -> random.nextDouble() * 1e6 - 5e5;
            case 6 -> random.nextBoolean();
            case 7 -> null;
            case 8 -> random.nextInt(70_000);
            case 9 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(randomValue(random, depth - 1));
                }
                yield list;
            }
            case 10 -> {
                Object[] tuple = new Object[random.nextInt(6)];
                for (int i = 0; i < tuple.length; i++) {
                    tuple[i] = randomValue(random, depth - 1);
                }
                yield tuple;
            }
            default -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(random.nextBoolean() ? randomString(random) : (Object) (long) random.nextInt(100),
                            randomValue(random, depth - 1));
                }
                yield map;
            }
        };
    }

    private static String randomString(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> random.nextInt(0x800);
                case 2 -> 0xE000 + random.nextInt(0x1000);
                default -> 0x1F600 + random.nextInt(0x40);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * Puts both sides in the reader's vocabulary so equals() works: Integer → Long, Float → Double,
     * BigInteger that fits → Long, Object[] → List, byte[] → a tagged hex String.
     */
    static Object normalize(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        if (value instanceof byte[] b) {
            return "bytes:" + HexFormat.of().formatHex(b);
        }
        if (value instanceof Object[] tuple) {
            return normalize(java.util.Arrays.asList(tuple));
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                out.add(normalize(item));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(normalize(k), normalize(v)));
            return out;
        }
        return value;
    }
}
