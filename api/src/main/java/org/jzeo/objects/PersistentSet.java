package org.jzeo.objects;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A set of values stored as one record, in insertion order. Every change made through the set is stored at commit.
 * Elements are values (strings, numbers, records...), not persistent objects. For large sets, use a
 * {@link PersistentSortedMap}.
 */
public class PersistentSet<E> extends PersistentCollection<E> implements Set<E> {
    private LinkedHashSet<Object> items = new LinkedHashSet<>();
    private transient Set<E> view;

    public PersistentSet() {
    }

    public PersistentSet(Collection<? extends E> initial) {
        addAll(initial);
    }

    @Override
    Set<E> view() {
        if (view == null) {
            view = new View();
        }
        return view;
    }

    /** The set as the application sees it, every change marked. */
    private final class View extends AbstractSet<E> {
        @Override
        public Iterator<E> iterator() {
            Iterator<Object> it = items.iterator();
            return new Iterator<>() {
                public boolean hasNext() {
                    return it.hasNext();
                }

                @SuppressWarnings("unchecked")
                public E next() {
                    return (E) it.next();
                }

                public void remove() {
                    markChanged();
                    it.remove();
                }
            };
        }

        @Override
        public boolean add(E e) {
            boolean added = items.add(Containers.requireValue(e, "set elements"));
            if (added) {
                markChanged();
            }
            return added;
        }

        @Override
        public boolean remove(Object o) {
            boolean removed = items.remove(o);
            if (removed) {
                markChanged();
            }
            return removed;
        }

        @Override
        public boolean contains(Object o) {
            return items.contains(o);
        }

        @Override
        public int size() {
            return items.size();
        }
    }


    @Override
    public String toString() {
        return "PersistentSet" + items;
    }

}
