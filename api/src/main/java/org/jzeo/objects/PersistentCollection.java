package org.jzeo.objects;

import java.util.Collection;
import java.util.Iterator;

/**
 * What the persistent list and set share: the {@code Collection} methods go to the subclass's view (which releases
 * persistent elements and marks every change), and changes are marked, never found by comparison.
 */
abstract class PersistentCollection<E> extends Persistent implements Collection<E> {

    /** The collection as the application sees it. */
    abstract Collection<E> view();

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
    boolean tracksOwnChanges() {
        return true;
    }
}
