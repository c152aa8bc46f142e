package org.jzeo.server.objects;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.jzeo.objects.Lazy;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.Persistent;
import org.jzeo.objects.ResolvesConflicts;

/** The application classes of the object-layer tests. */
final class Shop {
    static final ObjectTypes TYPES = ObjectTypes.of(Customer.class, Order.class, Tally.class, Note.class);

    private Shop() {
    }

    record Note(String text, LocalDate written) {
    }

    static class Customer extends Persistent {
        String name;
        BigDecimal credit = BigDecimal.ZERO;
        List<Order> orders = new ArrayList<>();
        Lazy<Customer> referrer;
        Customer friend;

        Customer() {
        }

        Customer(String name) {
            this.name = name;
        }
    }

    static class Order extends Persistent {
        String item;
        long cents;

        Order() {
        }

        Order(String item, long cents) {
            this.item = item;
            this.cents = cents;
        }
    }

    /** A counter whose concurrent increments merge instead of conflicting. */
    static class Tally extends Persistent implements ResolvesConflicts {
        long count;

        @Override
        public Object resolveConflict(Object old, Object committed) {
            long base = old == null ? 0 : ((Tally) old).count;
            count = count + ((Tally) committed).count - base;
            return this;
        }
    }
}
