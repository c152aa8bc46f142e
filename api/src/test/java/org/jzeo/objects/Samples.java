package org.jzeo.objects;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Classes the object-layer tests store. */
final class Samples {
    private Samples() {
    }

    enum Tier { BRONZE, GOLD }

    record Money(BigDecimal amount, String currency) {
    }

    /** A plain (non-persistent) value object, stored inside its owner. */
    static final class Address {
        String street;
        String city;

        Address() {
        }

        Address(String street, String city) {
            this.street = street;
            this.city = city;
        }
    }

    static class Customer extends Persistent {
        String name;
        int visits;
        Tier tier = Tier.BRONZE;
        Money credit;
        Address address;
        List<Order> orders = new ArrayList<>();
        Lazy<Customer> referrer;
        transient String cachedGreeting;

        Customer() {
        }

        Customer(String name) {
            this.name = name;
        }
    }

    static class Order extends Persistent {
        String item;
        long cents;
        LocalDate date;

        Order() {
        }

        Order(String item, long cents, LocalDate date) {
            this.item = item;
            this.cents = cents;
            this.date = date;
        }
    }

    /** Every kind of plain value the codec stores. */
    static class Everything extends Persistent {
        Object nothing;
        boolean flag;
        Integer boxedInt;
        Object integerAsObject;
        Object longAsObject;
        Object shortAsObject;
        Object byteAsObject;
        Object charAsObject;
        Object floatAsObject;
        double aDouble;
        java.math.BigInteger big;
        BigDecimal decimal;
        String text;
        byte[] bytes;
        int[] ints;
        long[] longs;
        double[] doubles;
        boolean[] booleans;
        String[] strings;
        Tier tier;
        Money money;
        Instant instant;
        LocalDate localDate;
        java.time.LocalDateTime localDateTime;
        java.time.LocalTime localTime;
        java.time.ZonedDateTime zoned;
        java.time.OffsetDateTime offset;
        java.time.Duration duration;
        java.time.Period period;
        java.time.YearMonth yearMonth;
        java.util.UUID uuid;
        java.util.Date date;
        List<Object> list;
        java.util.Set<Object> set;
        Map<Object, Object> map;
        java.util.TreeMap<String, Integer> sorted;
        java.util.SortedSet<String> sortedSet;
        java.util.LinkedList<String> linked;
        Address address;
        List<Address> addresses;
    }
}
