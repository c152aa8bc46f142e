package org.jzeo.e2e.objects;

import java.util.ArrayList;
import java.util.List;
import org.jzeo.objects.Lazy;
import org.jzeo.objects.ObjectTypes;
import org.jzeo.objects.Persistent;

/** The persistent classes the object-layer end-to-end tests store, shared by the test and its child JVMs. */
final class Model {
    static final ObjectTypes TYPES = ObjectTypes.of(Customer.class, Order.class, Account.class, Note.class);

    private Model() {
    }

    /** Orders held in a plain list field (references), another customer through a {@link Lazy} field. */
    static class Customer extends Persistent {
        String name;
        long credit;
        List<Order> orders = new ArrayList<>();
        Lazy<Customer> referrer;
        Note note;

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

        @Override
        public String toString() {
            return item + ":" + cents;
        }
    }

    static class Account extends Persistent {
        String owner;
        long balance;

        Account() {
        }

        Account(String owner, long balance) {
            this.owner = owner;
            this.balance = balance;
        }
    }

    static class Note extends Persistent {
        String text;

        Note() {
        }

        Note(String text) {
            this.text = text;
        }
    }
}
