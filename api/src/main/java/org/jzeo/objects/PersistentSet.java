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
public class PersistentSet<E> extends Persistent implements Set<E> {
    private LinkedHashSet<Object> items = new LinkedHashSet<>();
    private transient Set<E> view;

    public PersistentSet() {
    }

    public PersistentSet(Collection<? extends E> initial) {
        addAll(initial);
    }

    private Set<E> view() {
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

    @Override public int size() { return view().size(); }
    @Override public boolean isEmpty() { return view().isEmpty(); }
    @Override public boolean contains(Object o) { return view().contains(o); }
    @Override public Iterator<E> iterator() { return view().iterator(); }
    @Override public Object[] toArray() { return view().toArray(); }
    @Override public <T> T[] toArray(T[] a) { return view().toArray(a); }
    @Override public boolean add(E e) { return view().add(e); }
    @Override public boolean remove(Object o) { return view().remove(o); }
    @Override public boolean containsAll(Collection<?> c) { return view().containsAll(c); }
    @Override public boolean addAll(Collection<? extends E> c) { return view().addAll(c); }
    @Override public boolean removeAll(Collection<?> c) { return view().removeAll(c); }
    @Override public boolean retainAll(Collection<?> c) { return view().retainAll(c); }
    @Override public void clear() { view().clear(); }
    @Override public boolean equals(Object o) { return o == this || view().equals(o); }
    @Override public int hashCode() { return view().hashCode(); }

    @Override
    public String toString() {
        return "PersistentSet" + items;
    }

    @Override
    boolean tracksOwnChanges() {
        return true;
    }
}
